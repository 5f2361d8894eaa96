package main

import "strconv"

func fmt_cgo(n int) string { return "cgo on, C says " + strconv.Itoa(n) }
