package policy

import "sync"

// Cache remembers what an engine derives from the content of a file it
// reads through ReadFile (the parsed members of a compose set), for the
// other files of the same run: in a directory of n compose files, each
// reads the same base and override. Entries are keyed by kind and by the
// content itself, so a file that changed is a new entry and no entry is
// ever stale. It holds at most its budget of content bytes, dropping the
// oldest entries first (a walk reads a directory's files together);
// content over a quarter of the budget is not kept.
//
// A value handed out is shared: nobody may change it. A Cache is safe for
// concurrent use; a nil *Cache remembers nothing.
type Cache struct {
	mu     sync.Mutex
	kinds  map[string]map[string]any
	order  []cacheKey // oldest first
	size   int
	budget int
}

type cacheKey struct{ kind, content string }

// NewCache returns a cache holding at most budget bytes of content.
func NewCache(budget int) *Cache {
	return &Cache{kinds: map[string]map[string]any{}, budget: budget}
}

// Get returns the value of kind for content, computed by compute on the
// first request (and again after the entry was dropped). Two callers
// asking at once may both compute it; one value is kept.
func (c *Cache) Get(kind string, content []byte, compute func() any) any {
	if c == nil {
		return compute()
	}
	c.mu.Lock()
	v, ok := c.kinds[kind][string(content)]
	c.mu.Unlock()
	if ok {
		return v
	}
	v = compute()
	if len(content) > c.budget/4 {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.kinds[kind]
	if m == nil {
		m = map[string]any{}
		c.kinds[kind] = m
	}
	if old, ok := m[string(content)]; ok {
		return old
	}
	key := cacheKey{kind, string(content)}
	m[key.content] = v
	c.order = append(c.order, key)
	c.size += len(key.content)
	for c.size > c.budget {
		old := c.order[0]
		c.order = c.order[1:]
		delete(c.kinds[old.kind], old.content)
		c.size -= len(old.content)
	}
	return v
}
