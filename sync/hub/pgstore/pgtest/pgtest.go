// Package pgtest starts throwaway PostgreSQL servers for tests: a cluster
// in a temporary directory on a free loopback port, made with the machine's
// own server binaries (PostgreSQL 15 under /usr/lib/postgresql/15/bin, or
// $DOORCHECK_PG_BIN), and a fresh database per test on it.
//
// A test binary shares one cluster (Server, started on first use and
// stopped by Main from TestMain), because initdb and a server start cost
// about a second each and CI runs on two cores; a database per test costs
// a few milliseconds and keeps tests apart. Tests that kill the server
// start a cluster of their own with Start.
//
// Without the binaries a test skips with a message saying what to install,
// except under CI (CI=true), where a missing server is a failure: .ci/run
// installs it, so a skip there would hide a broken step.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultBin is where Debian's postgresql-15 package puts the server.
const DefaultBin = "/usr/lib/postgresql/15/bin"

// ErrNoServer is returned by Start when the server binaries are missing.
var ErrNoServer = errors.New("PostgreSQL server binaries not found")

// Options tune a cluster.
type Options struct {
	// Durable keeps fsync on. Tests leave it off: a killed server (not a
	// killed machine) loses nothing the kernel has, so correctness tests do
	// not need it, and it makes them several times faster. Benchmarks that
	// claim durable figures set it.
	Durable bool
	// Settings are extra server settings (name → value).
	Settings map[string]string
}

// Cluster is one running (or stopped) throwaway server.
type Cluster struct {
	bin, dir, data, sock string
	port                 int
	asPostgres           bool
	dbs                  atomic.Int64
}

// Bin returns the server binary directory in use.
func Bin() string {
	if b := os.Getenv("DOORCHECK_PG_BIN"); b != "" {
		return b
	}
	return DefaultBin
}

// Start makes and starts a new cluster.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	bin := Bin()
	if _, err := os.Stat(filepath.Join(bin, "initdb")); err != nil {
		return nil, fmt.Errorf("%w in %s (install Debian's postgresql package, or set DOORCHECK_PG_BIN)", ErrNoServer, bin)
	}
	c := &Cluster{bin: bin, asPostgres: os.Geteuid() == 0}
	dir, err := os.MkdirTemp("", "doorcheck-pg-")
	if err != nil {
		return nil, err
	}
	c.dir, c.data, c.sock = dir, filepath.Join(dir, "data"), filepath.Join(dir, "sock")
	if err := os.Mkdir(c.sock, 0o700); err != nil {
		return nil, err
	}
	if c.asPostgres {
		// initdb refuses to run as root: the cluster belongs to postgres.
		if err := chownTree(dir, "postgres"); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if err := c.initdb(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	conf := "listen_addresses = '127.0.0.1'\nunix_socket_directories = '" + c.sock + "'\nmax_connections = 200\nshared_buffers = '128MB'\n"
	if !opts.Durable {
		conf += "fsync = off\nfull_page_writes = off\n"
	}
	for k, v := range opts.Settings {
		conf += k + " = '" + v + "'\n"
	}
	if err := appendFile(filepath.Join(c.data, "postgresql.conf"), conf); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.Restart(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// initdb makes the data directory as a copy of a template cluster, made
// once per machine and server version under the temporary directory:
// initdb takes seconds (over ten on a loaded two-core CI machine), a copy
// a fraction of one, and every test binary with PostgreSQL tests needs a
// cluster.
func (c *Cluster) initdb(ctx context.Context) error {
	stamp := "unknown"
	if info, err := os.Stat(filepath.Join(c.bin, "postgres")); err == nil {
		stamp = strconv.FormatInt(info.ModTime().Unix(), 10)
	}
	tmpl := filepath.Join(os.TempDir(), fmt.Sprintf("doorcheck-pg-template-%d-%s", os.Geteuid(), stamp))
	if _, err := os.Stat(filepath.Join(tmpl, "PG_VERSION")); err != nil {
		// Make it beside, then rename: two test binaries racing both make
		// one and one rename wins; neither sees a half-made template.
		work, err := os.MkdirTemp(os.TempDir(), "doorcheck-pg-template-work-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(work)
		if c.asPostgres {
			if err := chownTree(work, "postgres"); err != nil {
				return err
			}
		}
		made := filepath.Join(work, "data")
		if err := c.run(ctx, "initdb", "-D", made, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-instructions", "--no-sync"); err != nil {
			return err
		}
		if err := os.Rename(made, tmpl); err != nil {
			if _, serr := os.Stat(filepath.Join(tmpl, "PG_VERSION")); serr != nil {
				return err
			}
		}
	}
	// cp -a keeps the owner (postgres) and the 0700 mode the server wants.
	out, err := exec.CommandContext(ctx, "cp", "-a", tmpl, c.data).CombinedOutput()
	if err != nil {
		return fmt.Errorf("copy the template cluster: %w: %s", err, out)
	}
	return nil
}

// Restart starts the server (again) on a fresh free port the first time,
// the same port after.
func (c *Cluster) Restart(ctx context.Context) error {
	if c.port == 0 {
		p, err := freePort()
		if err != nil {
			return err
		}
		c.port = p
	}
	return c.run(ctx, "pg_ctl", "start", "-w", "-t", "60", "-D", c.data, "-l", filepath.Join(c.dir, "server.log"),
		"-o", "-p "+strconv.Itoa(c.port))
}

// Kill stops the server the hard way (pg_ctl stop -m immediate): no
// shutdown checkpoint, clients cut off, crash recovery at the next start.
func (c *Cluster) Kill(ctx context.Context) error {
	return c.run(ctx, "pg_ctl", "stop", "-w", "-m", "immediate", "-D", c.data)
}

// Stop stops the server and removes its directory.
func (c *Cluster) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := c.run(ctx, "pg_ctl", "stop", "-w", "-m", "fast", "-D", c.data)
	if err != nil && c.run(ctx, "pg_ctl", "status", "-D", c.data) != nil {
		err = nil // it was not running
	}
	if rerr := os.RemoveAll(c.dir); err == nil {
		err = rerr
	}
	return err
}

// DSN returns the connection string of a database on the cluster.
func (c *Cluster) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// Port returns the server's port.
func (c *Cluster) Port() int { return c.port }

// CreateDatabase makes a new empty database and returns its DSN.
func (c *Cluster) CreateDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), c.dbs.Add(1))
	if err := c.admin(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	return c.DSN(name), nil
}

// DropDatabase drops a database made by CreateDatabase, cutting off its
// clients.
func (c *Cluster) DropDatabase(ctx context.Context, dsn string) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return err
	}
	return c.admin(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{cfg.Database}.Sanitize()+" WITH (FORCE)")
}

// Database is CreateDatabase for a test. It is not dropped after: the
// whole cluster is removed when the binary ends, and DROP DATABASE forces
// a checkpoint, which costs seconds on a loaded CI machine.
func (c *Cluster) Database(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dsn, err := c.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

func (c *Cluster) admin(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// run runs a server binary, as postgres when this process is root.
func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	path := filepath.Join(c.bin, name)
	var cmd *exec.Cmd
	if c.asPostgres {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = c.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %v: %w\n%s%s", name, args, err, out.String(), c.logTail())
	}
	return nil
}

func (c *Cluster) logTail() string {
	b, err := os.ReadFile(filepath.Join(c.dir, "server.log"))
	if err != nil {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "server log: …" + string(b)
}

// Server is a test binary's shared cluster, started on first use.
type Server struct {
	Options Options
	once    sync.Once
	c       *Cluster
	err     error
}

// Cluster returns the shared cluster, starting it the first time; it
// skips the test when the binaries are missing (fails it under CI).
func (s *Server) Cluster(t testing.TB) *Cluster {
	t.Helper()
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		s.c, s.err = Start(ctx, s.Options)
	})
	Check(t, s.err)
	return s.c
}

// Database returns a fresh database on the shared cluster.
func (s *Server) Database(t testing.TB) string {
	t.Helper()
	return s.Cluster(t).Database(t)
}

// Stop stops the shared cluster if it was started.
func (s *Server) Stop() error {
	if s.c == nil {
		return nil
	}
	return s.c.Stop()
}

// Check turns a Start error into a skip (no server here) or a failure.
func Check(t testing.TB, err error) {
	t.Helper()
	switch {
	case err == nil:
	case errors.Is(err, ErrNoServer) && os.Getenv("CI") == "":
		t.Skipf("skipping the PostgreSQL tests: %v", err)
	default:
		t.Fatalf("PostgreSQL test server: %v", err)
	}
}

// Main runs the tests of a binary and stops its shared server; call it as
// os.Exit(pgtest.Main(m, srv)) from TestMain.
func Main(m *testing.M, s *Server) int {
	code := m.Run()
	if err := s.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: stop: %v\n", err)
	}
	return code
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func chownTree(dir, name string) error {
	u, err := user.Lookup(name)
	if err != nil {
		return fmt.Errorf("the cluster must belong to a non-root user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chown(p, uid, gid)
	})
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
