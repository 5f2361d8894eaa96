// Command hello prints where it runs and, when built with cgo, what the C library says.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("hello from %s/%s (%s)\n", runtime.GOOS, runtime.GOARCH, cInfo())
}

// Greeting is what the tests check.
func Greeting(name string) string { return "hello, " + name }
