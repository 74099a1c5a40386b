package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"

	"github.com/doorcheck/doorcheck/kiosk/adminpin"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
)

// TestTUIBinaryInTerminal builds the real doorcheck binary and runs its
// demo kiosk (locked by the demo's admin PIN) on a pseudo-terminal, read
// through a terminal emulator as a person would see it:
//
//   - an IIN typed and Enter: the verdict on screen, in the window title
//     and in words;
//   - the terminal resized while the verdict shows: the verdict drawn
//     again, centred in the new width, the status bar on the new last row;
//   - Ctrl+C, Ctrl+Q and Ctrl+Q twice, and a wrong PIN, do not quit, and
//     nothing on screen says how to quit (Ctrl+Q asks for the admin PIN);
//   - Ctrl+Q and the demo PIN typed: the program quits, exit status 0, and
//     leaves the alternate screen.
//
// Everything waits for what the screen shows, never for a fixed time, so
// a loaded machine makes it slower, not flaky.
func TestTUIBinaryInTerminal(t *testing.T) {
	bin := buildDoorcheck(t)
	home := t.TempDir()
	cmd := exec.Command(bin, "--demo")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"TERM=xterm-256color", "LANG=C.UTF-8",
		"DOORCHECK_DEMO_DB=" + filepath.Join(home, "demo.db"),
	}
	term := startTerminal(t, cmd, 80, 24)
	cat := catalog.New()
	first := cat.First() // the title speaks the first language

	term.waitScreen(t, "the idle screen", func(s string) bool { return strings.Contains(s, cat.Lookup(catalog.EN, catalog.ScanPass)) })

	// Ctrl+C is a key like another: no quit, no word about quitting. The
	// scan typed after it is checked, so it was read and ignored.
	mark := term.mark()
	term.write(t, "\x03")
	green := demo.People()[0]
	term.typeSlowly(t, green.IIN+"\r")
	term.waitTitle(t, cat.Lookup(first, catalog.Admit))
	term.waitScreen(t, "the admit verdict in words", func(s string) bool {
		return strings.Contains(s, cat.Lookup(catalog.EN, catalog.Admit)) && strings.Contains(s, cat.Lookup(catalog.EN, catalog.StatusGreen))
	})
	term.noQuitWords(t, "after Ctrl+C", cat, mark)

	// Resize while the verdict shows: the same verdict, drawn for 120x40.
	// A verdict stays 4 s; on a machine too slow to redraw within that,
	// a new scan brings one back and the check is made again.
	red := demo.People()[3]
	sizes := [][2]uint16{{120, 40}, {100, 30}, {120, 40}}
	for i, size := range sizes {
		term.resize(t, size[0], size[1])
		stop := cat.Lookup(catalog.EN, catalog.Deny)
		if i == 0 {
			stop = cat.Lookup(catalog.EN, catalog.Admit)
		}
		if term.tryScreen(6*time.Second, func(s string) bool { return verdictCentred(s, stop, int(size[0]), int(size[1])) }) {
			break
		}
		if i == len(sizes)-1 {
			t.Fatalf("the verdict was never drawn again at %dx%d:\n%s", size[0], size[1], term.screen())
		}
		term.typeSlowly(t, red.IIN+"\r")
		term.waitTitle(t, cat.Lookup(first, catalog.Deny))
	}

	// Ctrl+Q on a locked kiosk asks for the admin PIN; Ctrl+Q again, Esc
	// and a wrong PIN leave it running. The scan after them is checked.
	mark = term.mark()
	term.write(t, "\x11")
	term.waitScreen(t, "the PIN dialog", func(s string) bool { return strings.Contains(s, cat.Lookup(catalog.EN, catalog.PINTitle)) })
	term.write(t, "\x11")
	term.typeSlowly(t, wrongPIN(adminpin.DemoPIN)+"\r")
	wrong, _, _ := strings.Cut(cat.Lookup(catalog.EN, catalog.PINWrong, 0), ":")
	term.waitScreen(t, "the wrong PIN refused", func(s string) bool { return strings.Contains(s, wrong) })
	term.write(t, "\x1b")
	term.waitScreen(t, "the PIN dialog closed", func(s string) bool { return !strings.Contains(s, cat.Lookup(catalog.EN, catalog.PINTitle)) })
	term.write(t, "\x11")
	term.write(t, "\x11")
	term.waitScreen(t, "the PIN dialog again", func(s string) bool { return strings.Contains(s, cat.Lookup(catalog.EN, catalog.PINTitle)) })
	term.write(t, "\x1b")
	term.waitScreen(t, "the PIN dialog closed", func(s string) bool { return !strings.Contains(s, cat.Lookup(catalog.EN, catalog.PINTitle)) })
	term.waitScreen(t, "the idle title", func(string) bool { return term.currentTitle() == "doorcheck" }) // the last verdict's time is over
	term.typeSlowly(t, green.IIN+"\r")
	term.waitScreen(t, "a verdict after Ctrl+Q twice", func(string) bool { return strings.HasPrefix(term.currentTitle(), "doorcheck: ") })
	if term.exited() {
		t.Fatal("the locked kiosk quit without its PIN")
	}
	term.noQuitWords(t, "after Ctrl+Q", cat, mark)

	// With the admin PIN it quits, and gives the terminal back.
	term.write(t, "\x11")
	term.waitScreen(t, "the PIN dialog", func(s string) bool { return strings.Contains(s, cat.Lookup(catalog.EN, catalog.PINTitle)) })
	term.typeSlowly(t, adminpin.DemoPIN+"\r")
	select {
	case <-term.finished:
		if term.exitErr != nil {
			t.Fatalf("exit: %v\n%s", term.exitErr, term.screen())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("the kiosk did not quit with its admin PIN:\n%s", term.screen())
	}
	if !bytes.Contains(term.since(0), []byte(ansi.ResetModeAltScreenSaveCursor)) {
		t.Error("the program did not leave the alternate screen")
	}
}

// wrongPIN is a PIN of the same length that is not pin.
func wrongPIN(pin string) string {
	w := []byte(pin)
	for i := range w {
		w[i] = '0' + (w[i]-'0'+1)%10
	}
	return string(w)
}

// verdictCentred reports whether screen (w×h) shows word centred on its
// line, as the verdict's words are, and the status bar on its last rows:
// a frame drawn for this size, not the old one.
func verdictCentred(screen, word string, w, h int) bool {
	lines := strings.Split(screen, "\n")
	if len(lines) < h-2 || strings.TrimSpace(strings.Join(lines[max(0, h-3):], "")) == "" {
		return false
	}
	for _, l := range lines {
		if !strings.Contains(l, word) {
			continue
		}
		text := strings.TrimSpace(l)
		lead := ansi.StringWidth(l) - ansi.StringWidth(strings.TrimLeft(l, " "))
		want := (w - ansi.StringWidth(text)) / 2
		if lead >= want-1 && lead <= want+1 {
			return true
		}
	}
	return false
}

// buildDoorcheck builds this package's binary into a temporary directory.
func buildDoorcheck(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "doorcheck")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// terminal is a process on a pseudo-terminal and an emulator that shows
// what it drew.
type terminal struct {
	ptm      *os.File
	cmd      *exec.Cmd
	finished chan struct{} // closed when the process has ended, with exitErr
	exitErr  error

	mu    sync.Mutex
	emu   *vt.Emulator
	title string
	out   []byte // everything the program wrote
}

func startTerminal(t *testing.T, cmd *exec.Cmd, w, h uint16) *terminal {
	t.Helper()
	ptm, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: w, Rows: h})
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{ptm: ptm, cmd: cmd, finished: make(chan struct{}), emu: vt.NewEmulator(int(w), int(h))}
	term.emu.SetCallbacks(vt.Callbacks{Title: func(s string) { term.title = s }}) // under mu: called from Write
	// The emulator's answers to the program's queries are dropped: a
	// terminal that answers none, as the Linux console answers few.
	go io.Copy(io.Discard, term.emu)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := ptm.Read(buf)
			term.mu.Lock()
			term.out = append(term.out, buf[:n]...)
			term.emu.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { term.exitErr = cmd.Wait(); close(term.finished) }()
	t.Cleanup(func() {
		if !term.exited() {
			cmd.Process.Kill()
			<-term.finished
		}
		ptm.Close() // ends the reader
		term.emu.Close()
	})
	return term
}

func (term *terminal) write(t *testing.T, s string) {
	t.Helper()
	if _, err := term.ptm.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}

// typeSlowly types s key by key as a person does, slower than any
// scanner, so the keys go to the manual field (or a dialog's).
func (term *terminal) typeSlowly(t *testing.T, s string) {
	t.Helper()
	for _, r := range s {
		time.Sleep(120 * time.Millisecond)
		term.write(t, string(r))
	}
}

func (term *terminal) resize(t *testing.T, w, h uint16) {
	t.Helper()
	term.mu.Lock()
	term.emu.Resize(int(w), int(h))
	term.mu.Unlock()
	if err := pty.Setsize(term.ptm, &pty.Winsize{Cols: w, Rows: h}); err != nil {
		t.Fatal(err)
	}
	// The kernel signals the terminal's foreground group; say it again
	// in case the program is not that group.
	term.cmd.Process.Signal(syscall.SIGWINCH)
}

func (term *terminal) screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.emu.String()
}

func (term *terminal) mark() int {
	term.mu.Lock()
	defer term.mu.Unlock()
	return len(term.out)
}

func (term *terminal) since(mark int) []byte {
	term.mu.Lock()
	defer term.mu.Unlock()
	return bytes.Clone(term.out[mark:])
}

func (term *terminal) exited() bool {
	select {
	case <-term.finished:
		return true
	default:
		return false
	}
}

// tryScreen waits up to d for the screen to satisfy ok.
func (term *terminal) tryScreen(d time.Duration, ok func(string) bool) bool {
	deadline := time.Now().Add(d)
	for {
		if ok(term.screen()) {
			return true
		}
		if time.Now().After(deadline) || term.exited() {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (term *terminal) waitScreen(t *testing.T, what string, ok func(string) bool) {
	t.Helper()
	if !term.tryScreen(15*time.Second, ok) {
		if term.exited() {
			t.Fatalf("the program ended before %s: %v\n%s", what, term.exitErr, term.screen())
		}
		t.Fatalf("the screen never showed %s:\n%s", what, term.screen())
	}
}

// waitTitle waits for the window title to name a verdict with word
// (the title names it in the first language, or in all of them).
func (term *terminal) waitTitle(t *testing.T, word string) {
	t.Helper()
	term.waitScreen(t, "the title of a verdict "+word, func(string) bool {
		title := term.currentTitle()
		return strings.HasPrefix(title, "doorcheck: ") && strings.Contains(title, word)
	})
}

func (term *terminal) currentTitle() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.title
}

// noQuitWords fails if what the program wrote since mark, or the screen,
// tells how to quit, in any language: the quit key, its help word, the
// action "quit the kiosk". The
// PIN dialog's own prompt is the one exception: it asks for the PIN.
func (term *terminal) noQuitWords(t *testing.T, when string, cat *catalog.Catalog, mark int) {
	t.Helper()
	// Not the Kazakh and Russian help words for quit: "шығу" and "выход"
	// are exit too, as in the status bar's entries and exits.
	words := []string{"Ctrl+Q", "ctrl+q", "twice", cat.Lookup(catalog.EN, catalog.KeyQuit)}
	for _, l := range catalog.Langs() {
		words = append(words, cat.Lookup(l, catalog.ActionQuit))
	}
	out := ansi.Strip(string(term.since(mark)))
	for _, l := range catalog.Langs() {
		out = strings.ReplaceAll(out, cat.Lookup(l, catalog.PINPrompt, cat.Lookup(l, catalog.ActionQuit)), "")
	}
	screen := term.screen()
	for _, w := range words {
		if strings.Contains(out, w) || strings.Contains(screen, w) {
			t.Errorf("%s the screen says %q:\n%s", when, w, screen)
		}
	}
}
