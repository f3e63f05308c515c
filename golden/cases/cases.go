// Package cases reads the golden cases' inputs, for tests outside package
// golden that seed fuzz targets or table tests with them.
package cases

import (
	"path/filepath"

	"github.com/rogpeppe/go-internal/txtar"
)

// Inputs returns the input section (the first file) of every case under
// testdata/KIND of the golden directory at dir, in file name order.
func Inputs(dir, kind string) ([][]byte, error) {
	files, err := filepath.Glob(filepath.Join(dir, "testdata", kind, "*.txtar"))
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, f := range files {
		ar, err := txtar.ParseFile(f)
		if err != nil {
			return nil, err
		}
		if len(ar.Files) > 0 {
			out = append(out, ar.Files[0].Data)
		}
	}
	return out, nil
}
