package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/vitrinehq/vitrine/internal/config"
)

// devSecretFile holds the development signing secret, inside the data directory.
const devSecretFile = "jwt-secret"

// devSecret returns the development signing secret kept in dir, creating it on first use, so
// that tokens (and the playground's saved Authorization header) survive a restart of the
// development server. created reports whether this call made it.
func devSecret(dir string) (secret []byte, created bool, err error) {
	path := filepath.Join(dir, devSecretFile)
	b, err := os.ReadFile(path)
	if err == nil {
		s := bytes.TrimSpace(b)
		if len(s) < config.MinJWTSecretBytes {
			return nil, false, fmt.Errorf("%s holds fewer than %d bytes: delete it and a new secret is made", path, config.MinJWTSecretBytes)
		}
		return s, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("read the development JWT secret: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, false, fmt.Errorf("create data dir: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, false, err
	}
	s := []byte(hex.EncodeToString(raw))
	// Written whole under a temporary name (CreateTemp makes it 0600), then linked into place:
	// a process starting at the same moment either sees no file or the complete one, and the
	// link fails for the second writer, which then reads the first one's secret.
	tmp, err := os.CreateTemp(dir, devSecretFile+".*")
	if err != nil {
		return nil, false, fmt.Errorf("write the development JWT secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(append(s, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, false, fmt.Errorf("write the development JWT secret: %w", err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return devSecret(dir)
	} else if err != nil {
		return nil, false, fmt.Errorf("write the development JWT secret: %w", err)
	}
	return s, true, nil
}
