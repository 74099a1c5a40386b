package hub

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/transfer"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// ImportOptions tune an import.
type ImportOptions struct {
	Format InputFormat
	// Now is the clock for the snapshot's created_at.
	Now func() time.Time
	// Progress, when set, is called as the import advances (often: the
	// caller rate-limits its drawing).
	Progress func(ImportProgress)
	// RunRows is how many rows are sorted in memory at a time (default
	// 4 Mi: 128 MiB of rows). Larger inputs are sorted in runs on disk.
	RunRows int
	// MaxReportedErrors caps the bad rows listed (default 1000); all are
	// counted.
	MaxReportedErrors int
	// Artifacts is where the snapshot files and the index go (default
	// DATA/public).
	Artifacts Artifacts
}

// ImportStage names what an import is doing.
type ImportStage string

const (
	StageReading ImportStage = "reading"
	StageMerging ImportStage = "sorting"
	StageFull    ImportStage = "writing full"
	StageDelta   ImportStage = "writing delta"
	// StageTransfer: the compact transfer form of the full file.
	StageTransfer ImportStage = "writing transfer form"
	// StageRows: a StatusStore loads the rows (and finds the delta) in
	// the import's transaction, which is not yet committed.
	StageRows ImportStage = "loading status rows"
	// StagePublish: the files are in place, the version is not recorded.
	StagePublish ImportStage = "publishing"
	// StageIndex: the version is recorded, the index not yet rewritten.
	StageIndex ImportStage = "writing index"
)

// ImportProgress reports an import's advance.
type ImportProgress struct {
	Stage ImportStage
	Bytes int64 // input bytes read (reading stage)
	Rows  int64 // rows read, or rows merged
}

// ImportResult says what an import published.
type ImportResult struct {
	Version SnapshotVersion
	Rows    int64  // data rows read (not the header, not blank lines)
	Blue    uint64 // rows listing blue: the subject is absent from the snapshot
	// DeltaRecords is the number of changes in the delta (0 with no delta).
	DeltaRecords uint64
	Elapsed      time.Duration
}

// ErrImportRunning is returned when another import holds the data
// directory's import lock.
var ErrImportRunning = errors.New("another import is running on this data directory")

// Import reads a status list and publishes it as the next snapshot version:
// a signed full file and the delta from the previous version, written
// immutably under ARTIFACTS/v1/files, recorded in st, and named by a new
// signed index. IINs are hashed as they are read; only subject keys reach
// the disk (sort runs, snapshot files), and no error message holds one.
//
// When st is a StatusStore (PostgreSQL) the list becomes its status rows
// and the delta is found there, set-based, all in one transaction. The
// order makes a crash at any point safe: the rows and delta are loaded
// (uncommitted), the files are written and renamed into place, and only
// then is the version committed with the rows; the index follows. A crash
// or a failed commit before that leaves files no version names: they are
// never served, and the next import, which takes the same version number
// (under the same lock), replaces them. A committed version therefore
// always has its files, and the index only names committed versions.
//
// Bad rows are all reported at once (*RowsError, with line numbers), and
// then nothing is published. An input with no data rows is a valid
// snapshot in which everyone is blue.
func Import(ctx context.Context, d DataDir, st Storage, keys Keys, cfg Config, in io.Reader, opts ImportOptions) (*ImportResult, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RunRows <= 0 {
		opts.RunRows = 4 << 20
	}
	if opts.MaxReportedErrors <= 0 {
		opts.MaxReportedErrors = 1000
	}
	if opts.Progress == nil {
		opts.Progress = func(ImportProgress) {}
	}
	if opts.Artifacts == "" {
		opts.Artifacts = d.Artifacts()
	}
	a := opts.Artifacts
	start := time.Now()
	if err := os.MkdirAll(d.TmpDir(), 0o700); err != nil {
		return nil, err
	}
	unlock, err := lockImport(d)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Holding the lock, every scratch directory is a crashed import's.
	if stale, _ := filepath.Glob(filepath.Join(d.TmpDir(), "import-*")); len(stale) > 0 {
		for _, dir := range stale {
			os.RemoveAll(dir)
		}
	}
	scratch, err := os.MkdirTemp(d.TmpDir(), "import-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)

	sorter := newRunSorter(scratch, opts.RunRows)
	errs := &rowErrors{max: opts.MaxReportedErrors}
	rows, err := readRows(ctx, in, opts, newSubjectHasher(keys.SubjectHash), errs, sorter.add)
	if err != nil {
		return nil, err
	}

	// Merge: find duplicates (reported with both lines, even when other
	// rows were bad, so one report lists everything) and write the sorted
	// body of listed entries.
	bodyPath := filepath.Join(scratch, "body")
	counts, err := writeBody(ctx, bodyPath, sorter, errs, opts.Progress)
	if err != nil {
		return nil, err
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	for _, run := range sorter.runs {
		os.Remove(run) // free the disk before the snapshot files are written
	}

	stage, releaseStage, err := stagingDir(a)
	if err != nil {
		return nil, err
	}
	defer releaseStage()
	var tx StatusImport
	if ss, ok := st.(StatusStore); ok {
		if tx, err = ss.BeginStatusImport(ctx); err != nil {
			return nil, err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
	}
	var prev SnapshotVersion
	if tx != nil {
		prev, err = tx.Latest()
	} else {
		prev, err = st.LatestSnapshot(ctx)
	}
	havePrev := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("latest snapshot: %w", err)
	}
	v := SnapshotVersion{
		Version:   prev.Version + 1,
		CreatedAt: opts.Now().UTC().Truncate(time.Second),
		Entries:   counts.entries,
		Red:       counts.red,
		Yellow:    counts.yellow,
		Green:     counts.green,
	}
	m := wire.Manifest{
		Version:        v.Version,
		CreatedAt:      v.CreatedAt,
		SubjectHashKey: keys.SubjectHash,
		Issuers:        []wire.Issuer{{ID: wire.KeyIDOf(keys.IssuerPublic()), Name: cfg.IssuerName, PublicKey: keys.IssuerPublic()}},
		Deployment:     cfg.Deployment,
	}

	// The previous full file tells whether a delta can lead from it: not
	// across a change of the subject-hash key.
	sameKey := false
	if havePrev {
		if sameKey, err = sameSubjectKey(filepath.Join(a.FilesDir(), prev.Full.Name), keys); err != nil {
			return nil, err
		}
	}
	var rowChanges uint64
	if tx != nil {
		opts.Progress(ImportProgress{Stage: StageRows})
		var readErr error
		rowChanges, err = tx.Load(ctx, v.Version, entryFile(bodyPath, &readErr), sameKey)
		if err == nil && readErr != nil {
			err = readErr
		}
		if err != nil {
			return nil, fmt.Errorf("status rows: %w", err)
		}
	}

	opts.Progress(ImportProgress{Stage: StageFull})
	var readErr error
	full, err := writeStaged(stage, protocol.FullName(v.Version), 0, v.Version, counts.entries, func(w io.Writer) error {
		return wire.WriteFull(w, m, entryFile(bodyPath, &readErr), keys.Hub)
	})
	if err == nil && readErr != nil {
		err = readErr
	}
	if err != nil {
		return nil, err
	}
	v.Full = full.ref
	staged := []stagedFile{full}

	opts.Progress(ImportProgress{Stage: StageTransfer})
	xfer, err := writeTransfer(stage, full)
	if err != nil {
		return nil, err
	}
	v.Transfer = xfer.ref
	staged = append(staged, xfer)
	if v.DCCTrust, err = stageDCCTrust(stage, d, prev, v.Version, &staged); err != nil {
		return nil, err
	}

	res := &ImportResult{Rows: rows, Blue: counts.blue}
	if sameKey {
		opts.Progress(ImportProgress{Stage: StageDelta})
		var changes iter.Seq[wire.Change]
		var prevErr, newErr error
		if tx != nil {
			// The delta the transaction found, in a scratch file:
			// WriteDelta reads it twice.
			path := filepath.Join(scratch, "changes")
			if err := writeChanges(ctx, path, tx, v.Version); err != nil {
				return nil, err
			}
			changes = changeFile(path, &newErr)
		} else {
			changes = wire.Diff(snapshotEntries(filepath.Join(a.FilesDir(), prev.Full.Name), keys.HubPublic(), &prevErr), entryFile(bodyPath, &newErr))
		}
		delta, n, err := writeDelta(stage, keys, prev, m, changes, counts.entries)
		if err == nil {
			err = errors.Join(prevErr, newErr)
		}
		if err == nil && tx != nil && n != rowChanges {
			err = fmt.Errorf("the delta file has %d changes, the status rows %d", n, rowChanges)
		}
		if err != nil {
			return nil, err
		}
		if delta != nil {
			v.Delta = delta.ref
			res.DeltaRecords = n
			staged = append(staged, *delta)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := install(a, staged); err != nil {
		return nil, err
	}
	opts.Progress(ImportProgress{Stage: StagePublish})
	if tx != nil {
		err = tx.Publish(ctx, v)
	} else {
		err = st.PublishSnapshot(ctx, v)
	}
	if err != nil {
		return nil, fmt.Errorf("publish version %d: %w", v.Version, err)
	}
	opts.Progress(ImportProgress{Stage: StageIndex})
	if _, err := WriteIndex(ctx, a, st, keys, cfg, opts.Now()); err != nil {
		return nil, fmt.Errorf("version %d is published but the index was not rewritten (serve rewrites it at start): %w", v.Version, err)
	}
	res.Version = v
	res.Elapsed = time.Since(start)
	return res, nil
}

// readRows reads lines, parses and hashes them, and hands good rows to add.
func readRows(ctx context.Context, in io.Reader, opts ImportOptions, hasher *subjectHasher, errs *rowErrors, add func(row) error) (int64, error) {
	br := bufio.NewReaderSize(in, 1<<20)
	p := &rowParser{format: opts.Format, hasher: hasher}
	var line, rows, read int64
	headerDone := opts.Format == JSONL
	for {
		raw, tooLong, err := readLine(br)
		if err == io.EOF && raw == nil {
			break
		}
		if err != nil && err != io.EOF {
			return 0, fmt.Errorf("read input after line %d: %w", line, err)
		}
		line++
		read += int64(len(raw)) + 1
		if line%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			opts.Progress(ImportProgress{Stage: StageReading, Bytes: read, Rows: rows})
		}
		if tooLong {
			errs.add(line, fmt.Errorf("line longer than %d bytes", MaxLineLength))
			continue
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		if !headerDone {
			headerDone = true
			if p.cols, p.ncols, err = parseHeader(raw); err != nil {
				errs.add(line, err)
				return 0, errs.err() // without a header no row can be read
			}
			continue
		}
		rows++
		r, err := p.parse(raw, line)
		if err != nil {
			errs.add(line, err)
			continue
		}
		if err := add(r); err != nil {
			return 0, err
		}
	}
	if !headerDone {
		errs.add(1, errors.New("empty input: want a header row iin,status,valid_until"))
		return 0, errs.err()
	}
	opts.Progress(ImportProgress{Stage: StageReading, Bytes: read, Rows: rows})
	return rows, nil
}

// readLine returns the next line without its newline; tooLong when it
// exceeded MaxLineLength (the rest of it is skipped).
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	line, err = br.ReadSlice('\n')
	for err == bufio.ErrBufferFull {
		tooLong = true
		_, err = br.ReadSlice('\n')
	}
	if err == io.EOF && len(line) == 0 && !tooLong {
		return nil, false, io.EOF
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	if len(line) > MaxLineLength {
		tooLong = true
	}
	if err == io.EOF {
		err = nil
	}
	return line, tooLong, err
}

type bodyCounts struct {
	entries, red, yellow, green, blue uint64
}

// writeBody merges the sorted rows into the body file (listed entries
// only), reporting each duplicate subject with the line it repeats.
func writeBody(ctx context.Context, path string, s *runSorter, errs *rowErrors, progress func(ImportProgress)) (bodyCounts, error) {
	var c bodyCounts
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return c, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	var prev row
	var merged int64
	have := false
	var rec [wire.EntrySize]byte
	err = s.merge(func(r row) error {
		merged++
		if merged%(1<<20) == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			progress(ImportProgress{Stage: StageMerging, Rows: merged})
		}
		if have && r.entry.Subject == prev.entry.Subject {
			errs.add(r.line, fmt.Errorf("the same IIN as line %d", prev.line))
			return nil
		}
		prev, have = r, true
		switch r.entry.Status {
		case wire.Blue:
			c.blue++
			return nil
		case wire.Red:
			c.red++
		case wire.Yellow:
			c.yellow++
		case wire.Green:
			c.green++
		}
		c.entries++
		r.entry.Put(rec[:])
		_, err := w.Write(rec[:])
		return err
	})
	if err != nil {
		return c, err
	}
	if err := w.Flush(); err != nil {
		return c, fmt.Errorf("write sorted entries: %w", err)
	}
	return c, nil
}

// writeDelta writes the delta from the previous version to m: changes,
// which it iterates twice. (A change of the subject-hash key has no delta:
// the caller does not ask; kiosks take the full file.)
func writeDelta(dir string, keys Keys, prev SnapshotVersion, m wire.Manifest, changes iter.Seq[wire.Change], resultEntries uint64) (*stagedFile, uint64, error) {
	// WriteDelta iterates the changes twice (hash, then write); n counts
	// the last pass.
	var n uint64
	counted := func(yield func(wire.Change) bool) {
		n = 0
		for c := range changes {
			n++
			if !yield(c) {
				return
			}
		}
	}
	m.BaseVersion = prev.Version
	m.ResultEntries = resultEntries
	staged, err := writeStaged(dir, protocol.DeltaName(prev.Version, m.Version), prev.Version, m.Version, 0, func(w io.Writer) error {
		return wire.WriteDelta(w, m, counted, keys.Hub)
	})
	if err != nil {
		return nil, 0, err
	}
	staged.ref.Records = n
	return &staged, n, nil
}

// sameSubjectKey reports whether the previous full file was made with the
// current subject-hash key.
func sameSubjectKey(path string, keys Keys) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("previous snapshot: %w", err)
	}
	defer f.Close()
	r, err := wire.Open(f, keys.HubPublic())
	if err != nil {
		return false, fmt.Errorf("previous snapshot %s: %w", filepath.Base(path), err)
	}
	return bytes.Equal(r.Manifest.SubjectHashKey, keys.SubjectHash), nil
}

// lockImport takes the data directory's import lock (an flock, released by
// the kernel if the process dies), so two imports never race for a version.
func lockImport(d DataDir) (func(), error) {
	unlock, err := flockNB(filepath.Join(d.TmpDir(), "import.lock"), true)
	if errors.Is(err, errLocked) {
		return nil, ErrImportRunning
	}
	return unlock, err
}

// writeTransfer writes the transfer form of the staged full file.
func writeTransfer(scratch string, full stagedFile) (stagedFile, error) {
	f, err := os.Open(full.path)
	if err != nil {
		return stagedFile{}, err
	}
	defer f.Close()
	return writeStaged(scratch, protocol.TransferName(full.ref.Version), 0, full.ref.Version, full.ref.Records, func(w io.Writer) error {
		return transfer.Encode(w, f, full.ref.Size)
	})
}
