package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncData makes the staged files' data durable with one syncfs(2) for
// each folder's file system (a no-op for the second folder on one), not an
// fsync a file: the kernel writes the lot in one journal commit. Where
// syncfs fails, each file is synced instead.
func syncData(files []staged, dirs []string) error {
	if len(files) == 1 {
		return syncEach(files) // one file: its fsync is the cheaper
	}
	for _, dir := range dirs {
		f, err := os.Open(dir)
		if err == nil {
			err = unix.Syncfs(int(f.Fd()))
			f.Close()
		}
		if err != nil {
			return syncEach(files)
		}
	}
	return nil
}
