//go:build !cgo

package main

func cInfo() string { return "cgo off" }
