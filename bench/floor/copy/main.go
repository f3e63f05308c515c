// Command copy is the floor of the stdin measurement: it copies standard
// input to standard output and does nothing else, so its time is what any
// Go program pays to start, read a file and write it back.
package main

import (
	"io"
	"os"
)

func main() {
	if _, err := io.Copy(os.Stdout, os.Stdin); err != nil {
		os.Exit(1)
	}
}
