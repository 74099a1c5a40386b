// Package logsink is where the kiosk's structured logs go: a
// size-bounded file that rotates itself (no logrotate on a kiosk's SD
// card), journald's native socket (the terminal belongs to the TUI), and
// a handler that passes every string through scanner/sanitize before any
// of them writes it.
package logsink

import (
	"errors"
	"fmt"
	"os"
	"sync"
)

// File is a log file bounded to Max bytes: when a write would take it
// past Max, the file is renamed to PATH.1 (replacing the previous one) and
// a new file is opened at PATH, so the two never hold more than 2×Max.
// One write is one record: a record longer than Max is cut to Max (ending
// in a newline), so even it cannot break the bound. It is safe for
// concurrent use (slog handlers write one record per Write).
type File struct {
	path string
	max  int64

	mu   sync.Mutex
	f    *os.File
	size int64
}

// OpenFile opens (appending) or creates path, mode 0640, bounded to max
// bytes (at least 1024).
func OpenFile(path string, max int64) (*File, error) {
	if max < 1024 {
		return nil, fmt.Errorf("log file %s: a bound of %d bytes is too small", path, max)
	}
	l := &File{path: path, max: max}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *File) open() error {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("open log file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open log file: %w", err)
	}
	l.f, l.size = f, st.Size()
	return nil
}

// Path is the file written to.
func (l *File) Path() string { return l.path }

// Write writes one record, rotating first when it would not fit.
func (l *File) Write(p []byte) (int, error) {
	n := len(p)
	if int64(len(p)) > l.max {
		p = append(append([]byte(nil), p[:l.max-1]...), '\n')
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, os.ErrClosed
	}
	if l.size+int64(len(p)) > l.max && l.size > 0 {
		if err := l.rotate(); err != nil {
			return 0, err
		}
	}
	w, err := l.f.Write(p)
	l.size += int64(w)
	if err != nil {
		return w, err
	}
	return n, nil
}

// rotate moves the full file to PATH.1 and starts a new one. When the
// rename fails (a read-only directory, say), the file is truncated
// instead: the bound holds either way.
func (l *File) rotate() error {
	old := l.f
	l.f = nil
	renameErr := os.Rename(l.path, l.path+".1")
	closeErr := old.Close()
	if renameErr != nil {
		f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_TRUNC|os.O_CREATE|os.O_APPEND, 0o640)
		if err != nil {
			return errors.Join(fmt.Errorf("rotate log file: %w", renameErr), err)
		}
		l.f, l.size = f, 0
		return nil
	}
	if err := l.open(); err != nil {
		return errors.Join(err, closeErr)
	}
	return nil
}

// Close closes the file; later writes fail.
func (l *File) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
