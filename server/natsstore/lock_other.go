//go:build !unix

package natsstore

import "errors"

// ErrLocked is returned (wrapped) by Open when another process already uses
// the data directory. Only unix systems have the lock.
var ErrLocked = errors.New("data directory is in use")

// lockDir does nothing where flock is not available.
func lockDir(string) (func() error, error) { return func() error { return nil }, nil }
