package storetest

// Postgres: URL gives each test its own fresh, empty, real PostgreSQL database.
//
// The server comes from, in order:
//
//  1. the URL in the VITRINE_TEST_DATABASE_URL environment variable, e.g.
//     postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable, whose
//     user must be allowed to CREATE DATABASE;
//  2. otherwise a throwaway cluster, started on first use once per test
//     binary (that is, once per package) from the newest initdb and pg_ctl
//     found in PATH or /usr/lib/postgresql/*/bin.
//
// With neither, tests that ask for a database are skipped with a loud
// message, or fail when CI=true so that CI never passes by skipping them.
// StartReplicated starts a separate primary with a streaming replica, for tests of read
// routing; it always needs the server binaries.
//
// The server must be PostgreSQL 13 or newer (for DROP DATABASE ... WITH
// (FORCE)). The throwaway cluster works on Unix only.
//
// Use it from a package's tests like this:
//
//	func TestMain(m *testing.M) { storetest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		db, err := sql.Open("postgres", storetest.URL(t))
//		...
//	}

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"
)

// EnvURL names the environment variable that points the tests at an existing
// server instead of a throwaway cluster.
const EnvURL = "VITRINE_TEST_DATABASE_URL"

// adminTimeout bounds CREATE and DROP DATABASE, so a hung server fails the
// test instead of stalling it until go test's global timeout.
const adminTimeout = time.Minute

// shared is the one server of this test process. It is a global because the
// throwaway cluster takes about two seconds to start: one per test would
// make the suite crawl, and Main must find it to stop it.
var shared struct {
	once sync.Once
	srv  *server
	err  error
}

// errNoPostgres reports that there is neither a configured server nor
// binaries to start one, which skips tests rather than failing them.
var errNoPostgres = errors.New("no PostgreSQL server binaries (initdb, pg_ctl) found")

// server is a PostgreSQL server on which tests get their databases.
type server struct {
	admin   *url.URL     // the maintenance database; test URLs differ only in path
	db      *sql.DB      // connected to admin, runs CREATE and DROP DATABASE
	n       atomic.Int64 // numbers databases so their names show creation order
	cluster *cluster     // the throwaway cluster, nil when EnvURL is set
}

// URL creates a fresh, empty database for tb, drops it when tb finishes,
// and returns a lib/pq connection URL for it. It skips tb when no server is
// available, or fails it when CI=true.
func URL(tb testing.TB) string {
	tb.Helper()
	shared.once.Do(func() { shared.srv, shared.err = startServer() })
	srv, err := shared.srv, shared.err
	if errors.Is(err, errNoPostgres) {
		if inCI() {
			tb.Fatal(noPostgresMessage(err))
		}
		tb.Skip(noPostgresMessage(err))
	}
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}

	// The pid and counter make names readable; the random part keeps them
	// unique on a shared server, where pids repeat across runs and machines.
	var random [4]byte
	rand.Read(random[:])
	name := fmt.Sprintf("vitrine_test_%d_%d_%x", os.Getpid(), srv.n.Add(1), random)
	quoted := pq.QuoteIdentifier(name)

	// template0 guarantees an empty database even if someone put objects in
	// template1, and nobody can connect to it, so concurrent CREATEs from it
	// never fail with "source database is being accessed by other users".
	if err := srv.exec("CREATE DATABASE " + quoted + " TEMPLATE template0"); err != nil {
		tb.Fatalf("storetest: creating database: %v", err)
	}
	tb.Cleanup(func() {
		// FORCE disconnects whatever the test left open, e.g. a *sql.DB it
		// never closed, which would otherwise make the DROP fail.
		if err := srv.exec("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)"); err != nil {
			tb.Errorf("storetest: dropping database %s: %v", name, err)
		}
	})

	u := *srv.admin
	u.Path, u.RawPath = "/"+name, ""
	return u.String()
}

// Main runs m's tests, then stops the throwaway cluster if a test started
// one, and exits. Call it from TestMain: without it the cluster still goes
// away, but only after the test process has exited (see startReaper).
func Main(m *testing.M) {
	code := m.Run()
	// If no test started the server, this makes sure none will; if one is
	// still starting it (in a goroutine a test leaked), this waits for it.
	// Either way shared is then safe to read.
	shared.once.Do(func() {})
	if srv := shared.srv; srv != nil {
		srv.db.Close()
		if srv.cluster != nil {
			if err := srv.cluster.stop(); err != nil {
				fmt.Fprintln(os.Stderr, "storetest:", err)
				code = max(code, 1)
			}
		}
	}
	os.Exit(code)
}

// startServer connects to the server named by EnvURL, or else starts a
// throwaway cluster.
func startServer() (*server, error) {
	srv := &server{}
	if raw := os.Getenv(EnvURL); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return nil, fmt.Errorf("%s=%q is not a postgres:// URL", EnvURL, raw)
		}
		srv.admin = u
	} else {
		c, err := startCluster()
		if err != nil {
			return nil, err
		}
		srv.cluster = c
		srv.admin = &url.URL{
			Scheme:   "postgres",
			User:     url.User("postgres"),
			Host:     "127.0.0.1:" + strconv.Itoa(c.port),
			Path:     "/postgres",
			RawQuery: "sslmode=disable",
		}
	}

	db, err := sql.Open("postgres", srv.admin.String())
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
		err = db.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if srv.cluster != nil {
			srv.cluster.stop()
		}
		return nil, fmt.Errorf("connecting to %s: %w", srv.admin.Redacted(), err)
	}
	srv.db = db
	return srv, nil
}

// exec runs one statement on the maintenance database.
func (s *server) exec(query string) error {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	_, err := s.db.ExecContext(ctx, query)
	return err
}

// inCI tells whether we run in CI, where a missing database must fail the
// tests: a skip there would pass the build without testing anything.
func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// noPostgresMessage says, loudly, why the test did not run and how to make
// it run, because a quiet skip is easily mistaken for a pass.
func noPostgresMessage(err error) string {
	return fmt.Sprintf(`
################################################################
storetest: %v.
THIS TEST NEEDS A REAL POSTGRESQL DATABASE AND DID NOT RUN.
To run it, either
  - install the PostgreSQL server (Debian/Ubuntu: apt-get install
    postgresql; macOS: brew install postgresql), so that initdb and
    pg_ctl are in PATH or in /usr/lib/postgresql/*/bin, or
  - set %s to a server where you may CREATE DATABASE, e.g.
    %s=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
With CI=true this is a failure, not a skip.
################################################################`,
		err, EnvURL, EnvURL)
}

// cluster is a throwaway PostgreSQL cluster in a temporary directory.
type cluster struct {
	bin        string    // directory of initdb and pg_ctl
	dir        string    // holds data/, the log and the server's socket
	asPostgres bool      // run the tools as the postgres OS user: we are root
	port       int       // TCP port on 127.0.0.1
	reaper     *exec.Cmd // tears the cluster down once reaperPipe closes
	reaperPipe *os.File  // kept open, and reachable, while the cluster lives
}

// reaperScript waits until its stdin reaches end of file, then stops the
// server ("$@") and removes the cluster's directory ($1). It exits with the
// stop command's status, so that Main can report a failed stop.
const reaperScript = `dir=$1; shift; cat >/dev/null; "$@" >/dev/null 2>&1; st=$?; rm -rf -- "$dir" && exit $st`

// startCluster creates and starts a throwaway cluster, or returns
// errNoPostgres if there are no binaries to do so.
func startCluster() (*cluster, error) {
	c, err := newCluster()
	if err != nil {
		return nil, err
	}
	// From here on, the reaper removes dir whatever happens.
	err = c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync")
	if err == nil {
		err = c.listen()
	}
	if err != nil {
		c.stop()
		return nil, fmt.Errorf("starting throwaway cluster: %w", err)
	}
	return c, nil
}

// newCluster prepares an empty directory for a cluster, owned by whoever
// will run the server, with a reaper that removes it.
func newCluster() (*cluster, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "vitrine-pg-")
	if err != nil {
		return nil, err
	}
	c := &cluster{bin: bin, dir: dir, asPostgres: os.Geteuid() == 0}
	if c.asPostgres {
		err = chownToPostgres(dir)
	}
	if err == nil {
		err = c.startReaper()
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("preparing throwaway cluster: %w", err)
	}
	return c, nil
}

// findBinaries returns the directory that holds the newest initdb and
// pg_ctl in PATH or in Debian's /usr/lib/postgresql/*/bin, where Debian
// installs them outside PATH.
func findBinaries() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	if p, err := exec.LookPath("initdb"); err == nil {
		// initdb in PATH may be a symlink; the server binaries sit next to
		// its target.
		if p, err = filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(p))
		}
	}
	best, bestMajor := "", 0
	for _, dir := range dirs {
		if major := majorVersion(dir); major > bestMajor {
			best, bestMajor = dir, major
		}
	}
	if best == "" {
		return "", errNoPostgres
	}
	return best, nil
}

// majorVersion returns the major version of the initdb in dir, or 0 if dir
// lacks initdb or pg_ctl.
func majorVersion(dir string) int {
	if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err != nil {
		return 0
	}
	// It prints e.g. "initdb (PostgreSQL) 15.8 (Debian 15.8-1)".
	out, err := exec.Command(filepath.Join(dir, "initdb"), "--version").Output()
	fields := strings.Fields(string(out))
	if err != nil || len(fields) < 3 {
		return 0
	}
	version := fields[2]
	if end := strings.IndexFunc(version, func(r rune) bool { return r < '0' || r > '9' }); end >= 0 {
		version = version[:end] // "16beta1" and "15.8" alike
	}
	major, _ := strconv.Atoi(version)
	return major
}

// chownToPostgres gives dir to the postgres OS user, who runs the server
// when we are root.
func chownToPostgres(dir string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root, so the server must run as the postgres OS user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

// startReaper starts the process that tears the cluster down when the pipe
// to it closes: when stop closes it, or when the kernel does because this
// process died, even by SIGKILL or a test timeout's panic. It runs in its
// own session so that a Ctrl-C aimed at go test does not kill it too. The
// server itself would also shut down within a minute of its directory
// vanishing, as it periodically checks its postmaster.pid.
func (c *cluster) startReaper() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close() // the reaper has its own copy
	stop := c.argv("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
	cmd := exec.Command("sh", append([]string{"-c", reaperScript, "storetest-reaper", c.dir}, stop...)...)
	cmd.Stdin, cmd.Dir = r, "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("starting reaper: %w", err)
	}
	c.reaper, c.reaperPipe = cmd, w
	return nil
}

// listen starts the server on a free port. Another process may take the
// port between our choosing it and the server binding it, hence the retries.
func (c *cluster) listen() error {
	var err error
	for range 5 {
		var port int
		if port, err = freePort(); err != nil {
			return err
		}
		if err = c.startOn(port); err == nil {
			return nil
		}
	}
	log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
	return fmt.Errorf("%w\nserver log:\n%s", err, log)
}

// startOn starts the server on port and waits until it accepts connections.
func (c *cluster) startOn(port int) error {
	// -k puts the socket in our directory, away from any system
	// server's; the rest trades durability we don't need for speed.
	opts := fmt.Sprintf("-p %d -k '%s' -c listen_addresses=127.0.0.1"+
		" -c fsync=off -c synchronous_commit=off -c full_page_writes=off", port, c.dir)
	if err := c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-w", "-o", opts, "start"); err != nil {
		return err
	}
	c.port = port
	return nil
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// stop tears the cluster down and waits until it is gone.
func (c *cluster) stop() error {
	c.reaperPipe.Close()
	if err := c.reaper.Wait(); err != nil {
		return fmt.Errorf("tearing down throwaway cluster %s: %w", c.dir, err)
	}
	return nil
}

// run runs a server tool; its error includes the tool's output.
func (c *cluster) run(tool string, args ...string) error {
	argv := c.argv(tool, args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	// The postgres user must be able to enter the working directory.
	cmd.Dir = "/"
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, out)
	}
	return nil
}

// argv returns the command line that runs a server tool. initdb and pg_ctl
// refuse to run as root, so then it runs them as the postgres OS user.
func (c *cluster) argv(tool string, args ...string) []string {
	argv := append([]string{filepath.Join(c.bin, tool)}, args...)
	if c.asPostgres {
		argv = append([]string{"runuser", "-u", "postgres", "--"}, argv...)
	}
	return argv
}

// data returns the cluster's data directory.
func (c *cluster) data() string { return filepath.Join(c.dir, "data") }
