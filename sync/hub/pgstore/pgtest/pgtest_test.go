package pgtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var srv Server

func TestMain(m *testing.M) { os.Exit(Main(m, &srv)) }

// TestDatabasesAreSeparate: each test database starts empty, and the
// cluster survives a hard kill and a restart.
func TestDatabasesAreSeparate(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, step := range []string{"first", "second"} {
		conn, err := pgx.Connect(ctx, srv.Database(t))
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'marker'").Scan(&n); err != nil || n != 0 {
			t.Fatalf("%s database is not empty: %d %v", step, n, err)
		}
		if _, err := conn.Exec(ctx, "CREATE TABLE marker (x int)"); err != nil {
			t.Fatal(err)
		}
		conn.Close(ctx)
	}
}

func TestKillRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{})
	Check(t, err)
	defer c.Stop()
	dsn, err := c.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Kill(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := pgx.Connect(ctx, dsn); err == nil {
		t.Fatal("connected to a killed server")
	}
	if err := c.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	conn.Close(ctx)
}
