package golden

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rofix/rofix/rewrite/policy"
)

// yamlService is a service read independently of the engine: yaml.v3
// decodes merge keys itself, and extends in the same file is followed here.
type yamlService struct {
	name  string
	chain []map[string]any // the service, then what it extends
}

// outputServices decodes the services of every document of src.
func outputServices(src []byte) []yamlService {
	var out []yamlService
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			return out
		}
		services, _ := doc["services"].(map[string]any)
		for name, v := range services {
			m, ok := v.(map[string]any)
			if !ok || strings.HasPrefix(name, "x-") {
				continue
			}
			svc := yamlService{name: name, chain: []map[string]any{m}}
			for seen := map[string]bool{name: true}; ; {
				base := extendsName(m)
				bm, ok := services[base].(map[string]any)
				if base == "" || seen[base] || !ok {
					break
				}
				seen[base] = true
				svc.chain = append(svc.chain, bm)
				m = bm
			}
			out = append(out, svc)
		}
	}
}

func extendsName(m map[string]any) string {
	switch e := m["extends"].(type) {
	case string:
		return e
	case map[string]any:
		if _, other := e["file"]; other {
			return ""
		}
		s, _ := e["service"].(string)
		return s
	}
	return ""
}

// bool returns "true", "false", "dynamic" or "" (absent) for a boolean key;
// the nearest definition wins.
func (s yamlService) bool(key string) string {
	for _, m := range s.chain {
		v, ok := m[key]
		if !ok {
			continue
		}
		switch v := v.(type) {
		case bool:
			return fmt.Sprint(v)
		case string:
			if strings.Contains(v, "$") {
				return "dynamic"
			}
			switch strings.ToLower(v) {
			case "true", "yes", "on", "y":
				return "true"
			case "false", "no", "off", "n":
				return "false"
			}
		}
		return ""
	}
	return ""
}

// strings returns every string item of a string-or-list key, along the
// extends chain (compose appends those lists).
func (s yamlService) strings(key string) []string {
	var out []string
	for _, m := range s.chain {
		switch v := m[key].(type) {
		case string:
			out = append(out, v)
		case []any:
			for _, item := range v {
				if str, ok := item.(string); ok {
					out = append(out, str)
				}
			}
		}
	}
	return out
}

// hasTmp reports a tmpfs entry or a volume at /tmp.
func (s yamlService) hasTmp() bool {
	for _, e := range s.strings("tmpfs") {
		if strings.TrimRight(policy.TmpfsTarget(e), "/") == "/tmp" {
			return true
		}
	}
	for _, m := range s.chain {
		vols, _ := m["volumes"].([]any)
		for _, v := range vols {
			target := ""
			switch v := v.(type) {
			case string:
				vol, _ := policy.ParseVolume(v)
				target = vol.Target
			case map[string]any:
				target, _ = v["target"].(string)
			}
			if strings.TrimRight(target, "/") == "/tmp" {
				return true
			}
		}
	}
	return false
}

// hasNNP reports any spelling of no-new-privileges, true or false (an
// explicit false is an opt-out the engine reports).
func (s yamlService) hasNNP() bool {
	for _, o := range s.strings("security_opt") {
		if policy.NoNewPrivileges(o) != policy.Absent {
			return true
		}
	}
	return false
}
