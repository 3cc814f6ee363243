//go:build !unix

package main

// running cannot tell elsewhere: every temporary file is kept.
func running(int) bool { return true }
