package main
import (
 _ "gopkg.in/yaml.v3"
 _ "mvdan.cc/sh/v3/syntax"
 _ "github.com/sergi/go-diff/diffmatchpatch"
)
func main(){}
