package policy

import (
	"fmt"
	"sync"
	"testing"
)

// TestCache: a value is computed once per kind and content, whatever the
// number of callers; other content or another kind is another entry; the
// oldest entries go when the budget is spent, and content over a quarter
// of it is never kept.
func TestCache(t *testing.T) {
	c := NewCache(64)
	calls := 0
	get := func(kind, content string) any {
		return c.Get(kind, []byte(content), func() any { calls++; return kind + ":" + content })
	}
	for range 3 {
		if v := get("k", "aaaa"); v != "k:aaaa" {
			t.Fatalf("Get = %v", v)
		}
	}
	if calls != 1 {
		t.Errorf("same kind and content: computed %d times, want 1", calls)
	}
	get("other", "aaaa")
	get("k", "bbbb")
	if calls != 3 {
		t.Errorf("other kind, other content: %d computations, want 3", calls)
	}
	for i := range 16 { // 16 × 4 bytes: "aaaa" and the others go first
		get("k", fmt.Sprintf("%04d", i))
	}
	calls = 0
	get("k", "aaaa")
	get("k", "0015")
	if calls != 1 {
		t.Errorf("after spending the budget: %d computations, want 1 (the oldest dropped, the newest kept)", calls)
	}
	big := string(make([]byte, 17))
	get("k", big)
	get("k", big)
	if calls != 3 {
		t.Errorf("content over a quarter of the budget: computed %d times in all, want it never kept", calls)
	}
	var none *Cache
	if v := none.Get("k", nil, func() any { return 1 }); v != 1 {
		t.Errorf("nil cache: Get = %v, want the computed value", v)
	}
}

// TestCacheConcurrent: many goroutines asking for the same entries get
// the same answers (run with -race).
func TestCacheConcurrent(t *testing.T) {
	c := NewCache(1 << 10)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				content := fmt.Sprint((g + i) % 50)
				if v := c.Get("k", []byte(content), func() any { return "v" + content }); v != "v"+content {
					t.Errorf("Get(%q) = %v", content, v)
				}
			}
		}()
	}
	wg.Wait()
}
