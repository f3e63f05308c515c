// Package hyperfine is the JSON export format of hyperfine
// (--export-json), which bench/interleave writes and bench/report reads.
package hyperfine

// Result is one command of an export; times are in seconds.
type Result struct {
	Command string    `json:"command"`
	Mean    float64   `json:"mean"`
	Stddev  float64   `json:"stddev"`
	Median  float64   `json:"median"`
	User    float64   `json:"user"`
	System  float64   `json:"system"`
	Min     float64   `json:"min"`
	Max     float64   `json:"max"`
	Times   []float64 `json:"times"`
}

// Export is a whole export file.
type Export struct {
	Results []Result `json:"results"`
}
