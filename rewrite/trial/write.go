package trial

// This file writes what a proven trial found (-w).

import (
	"os"
	"path/filepath"

	"github.com/rofix/rofix/rewrite/cli"
)

// write writes the hardened compose files and the config file, each only
// when it changes.
func (t *trial) write(rep *Report, cfg []byte, files [][]byte) error {
	if string(cfg) != string(t.cfgSrc) {
		var err error
		if t.cfgExists {
			err = cli.WriteFile(t.cfgPath, t.cfgSrc, cfg)
		} else {
			err = createFile(t.cfgPath, cfg)
		}
		if err != nil {
			return err
		}
		rep.Written = append(rep.Written, t.cfgShown)
	}
	for i, f := range t.p.Files {
		if string(files[i]) == string(t.p.Src[i]) {
			continue
		}
		if err := cli.WriteFile(filepath.Join(t.p.Dir, f), t.p.Src[i], files[i]); err != nil {
			return err
		}
		rep.Written = append(rep.Written, filepath.Join(filepath.Dir(t.p.Shown), f))
	}
	return nil
}

// createFile creates a new file atomically: it fails if path exists.
func createFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".rofix-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// A hard link fails where a rename would replace a file made meanwhile.
	if err := os.Link(tmp.Name(), path); err != nil {
		return err
	}
	return nil
}
