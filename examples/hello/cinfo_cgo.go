//go:build cgo

package main

/*
static int answer(void) { return 42; }
*/
import "C"

func cInfo() string { return fmt_cgo(int(C.answer())) }
