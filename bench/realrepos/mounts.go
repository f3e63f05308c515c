package main

import (
	"path"
	"strings"
)

// ReadOnlyDirs returns the directories an edit makes read-only whose name has
// a dot: lines are the new file's, added the numbers (0-based) of the lines
// the edit adds, and isDir says what a path relative to the file's directory
// is in the repository: 1 a directory, -1 a file, 0 nothing. The source of a
// bind mount counts (what the host gives); a Kubernetes mount's path.
func ReadOnlyDirs(lines []string, added []int, isDir func(string) int) []string {
	var dirs []string
	for _, n := range added {
		l := lines[n]
		if roMountFlag().MatchString(l) {
			name, mount := mountItem(lines, n)
			for _, p := range []string{mount, hostPath(lines, n, name)} {
				if p != "" && dotted(p) && dirByForm(p) {
					dirs = append(dirs, p)
					break
				}
			}
			continue
		}
		for _, m := range roBind().FindAllStringSubmatch(l, -1) {
			src := m[1]
			if !dotted(src) {
				continue
			}
			local := !strings.HasPrefix(src, "/") && !strings.HasPrefix(src, "$") && !strings.HasPrefix(src, "~")
			if kind := isDir(src); local && kind != 0 {
				if kind > 0 {
					dirs = append(dirs, src)
				}
			} else if dirByForm(src) {
				dirs = append(dirs, src)
			}
		}
	}
	return dirs
}

// dotted says whether the last element of p has a dot (not a leading one).
func dotted(p string) bool {
	b := path.Base(strings.TrimRight(p, "/"))
	return strings.Contains(strings.TrimLeft(b, "."), ".")
}

// dirByForm says whether a path names a directory by its form: a trailing
// slash, a .d directory, or a name with two dots or more that does not end
// in a file extension (pd.csi.storage.gke.io, not loki.debug.yaml).
func dirByForm(p string) bool {
	if strings.HasSuffix(p, "/") || strings.HasSuffix(p, ".d") {
		return true
	}
	b := path.Base(p)
	return strings.Count(b, ".") >= 2 && !fileExt().MatchString(b)
}

// itemRange returns the first and last line of the list item holding line n
// (-1, -1 for none).
func itemRange(lines []string, n int) (start, end int) {
	s := n
	for s >= 0 && !strings.HasPrefix(strings.TrimSpace(lines[s]), "- ") {
		s--
	}
	if s < 0 {
		return -1, -1
	}
	limit, e := indentOf(lines[s])+2, s
	for j := s + 1; j < len(lines); j++ {
		if !blank(lines[j]) && indentOf(lines[j]) < limit {
			break
		}
		e = j
	}
	return s, e
}

// mountItem returns the name and mountPath of the volumeMounts item holding
// line n.
func mountItem(lines []string, n int) (name, mount string) {
	s, e := itemRange(lines, n)
	for j := s; j >= 0 && j <= e; j++ {
		if m := itemKey().FindStringSubmatch(lines[j]); m != nil {
			switch m[2] {
			case "name":
				name = m[3]
			case "mountPath":
				mount = m[3]
			}
		}
	}
	return name, mount
}

// hostPath returns the host path of the pod volume called name, in the YAML
// document holding line n ("" when it is no hostPath volume).
func hostPath(lines []string, n int, name string) string {
	if name == "" {
		return ""
	}
	ds, de := n, n
	for ds > 0 && !strings.HasPrefix(lines[ds], "---") {
		ds--
	}
	for de < len(lines)-1 && !strings.HasPrefix(lines[de+1], "---") {
		de++
	}
	for j := ds; j <= de; j++ {
		m := itemKey().FindStringSubmatch(lines[j])
		if m == nil || m[2] != "name" || m[3] != name {
			continue
		}
		s, e := itemRange(lines, j)
		for k := s; k >= 0 && k <= e; k++ {
			if strings.TrimSpace(lines[k]) == "hostPath:" || strings.HasPrefix(strings.TrimSpace(lines[k]), "- hostPath:") {
				for h := k + 1; h <= e; h++ {
					if m := itemKey().FindStringSubmatch(lines[h]); m != nil && m[2] == "path" {
						return m[3]
					}
				}
			}
		}
	}
	return ""
}
