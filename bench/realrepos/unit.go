package main

import (
	"path"
	"strings"
)

// A Unit is the container an edit touches: a run command (its logical line,
// continuations joined) or a YAML block (a compose service, a Kubernetes
// container).
type Unit struct {
	Kind       string // "shell", "yaml" or "file"
	Start, End int    // 0-based lines of the new file, inclusive
	Text       string // the unit's text in the new file
	Doc        string // YAML: the document holding the unit
	Service    bool   // YAML: a child of a top-level services: key
}

// FindUnit returns the unit holding line i (0-based) of a file's lines.
func FindUnit(name string, lines []string, i int) Unit {
	switch path.Ext(name) {
	case ".container", ".service", ".pod", ".kube", ".volume", ".network":
		return Unit{Kind: "file", Start: 0, End: len(lines) - 1, Text: strings.Join(lines, "\n")}
	}
	s, e := i, i
	for s > 0 && continued(lines[s-1]) {
		s--
	}
	for e < len(lines)-1 && continued(lines[e]) {
		e++
	}
	sh := Unit{Kind: "shell", Start: s, End: e, Text: strings.Join(lines[s:e+1], "\n")}
	ext := path.Ext(name)
	if runCommand().MatchString(sh.Text) || (ext != ".yml" && ext != ".yaml") {
		return sh
	}
	return yamlUnit(lines, i)
}

func continued(l string) bool { return strings.HasSuffix(strings.TrimRight(l, " \t\r"), `\`) }

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " \t")) }

func blank(l string) bool {
	t := strings.TrimSpace(l)
	return t == "" || strings.HasPrefix(t, "#")
}

// yamlParent returns the line that holds line i by indentation (-1 for none).
// A list item may sit at its key's own indentation.
func yamlParent(lines []string, i int) int {
	in := indentOf(lines[i])
	item := strings.HasPrefix(strings.TrimSpace(lines[i]), "- ")
	for p := i - 1; p >= 0; p-- {
		if blank(lines[p]) {
			continue
		}
		pi, t := indentOf(lines[p]), strings.TrimSpace(lines[p])
		if pi < in || (pi == in && item && !strings.HasPrefix(t, "-") && strings.HasSuffix(t, ":")) {
			return p
		}
	}
	return -1
}

func yamlKey(l string) string {
	t := strings.TrimPrefix(strings.TrimSpace(l), "- ")
	k, _, _ := strings.Cut(t, ":")
	return strings.TrimSpace(k)
}

func yamlUnit(lines []string, i int) Unit {
	var chain []int
	anchor, service := -1, false
	for c := i; c >= 0 && anchor < 0; {
		p := yamlParent(lines, c)
		if p < 0 {
			break
		}
		chain = append(chain, c)
		switch yamlKey(lines[p]) {
		case "services":
			anchor, service = c, indentOf(lines[p]) == 0
		case "containers", "initContainers", "ephemeralContainers":
			if strings.HasPrefix(strings.TrimSpace(lines[c]), "- ") {
				anchor = c
			}
		}
		c = p
	}
	ds, de := i, i
	for ds > 0 && !strings.HasPrefix(lines[ds], "---") {
		ds--
	}
	for de < len(lines)-1 && !strings.HasPrefix(lines[de+1], "---") {
		de++
	}
	doc := strings.Join(lines[ds:de+1], "\n")
	if anchor < 0 { // pod-level lines (volumes:) belong to the document; else the top-level block
		if chain = append(chain, i); k8sKind().MatchString(doc) {
			return Unit{Kind: "yaml", Start: ds, End: de, Text: doc, Doc: doc}
		}
		anchor = chain[len(chain)-1]
	}
	ai := indentOf(lines[anchor])
	limit := ai + 1
	if strings.HasPrefix(strings.TrimSpace(lines[anchor]), "- ") {
		limit = ai + 2
	}
	end := anchor
	for j := anchor + 1; j < len(lines); j++ {
		if blank(lines[j]) {
			continue
		}
		if indentOf(lines[j]) < limit || strings.HasPrefix(lines[j], "---") {
			break
		}
		end = j
	}
	return Unit{Kind: "yaml", Start: anchor, End: end, Service: service,
		Text: strings.Join(lines[anchor:end+1], "\n"), Doc: doc}
}
