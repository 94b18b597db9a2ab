package cli

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// progress reports on stderr what the run is doing: the phase (site
// discovery, the mutants' compile check, baseline, mutants done/total with
// elapsed time and ETA, restore check) and the
// mutants running now (which start during the baseline too). On a terminal it is one line rewritten every second,
// so it moves during a slow mutant too; otherwise it prints a line per
// finished mutant, and a "still running" line after a quiet spell.
type progress struct {
	w     io.Writer
	tty   bool
	start time.Time
	every time.Duration // terminal redraw interval
	quiet time.Duration // plain output: silence after which a line says what runs

	mu      sync.Mutex
	drawn   bool
	last    time.Time // when the last plain line was written
	phase   string    // "", "discover", "compile", "baseline", "mutants", "restore"
	since   time.Time // when the phase began
	n       int       // mutants to check or run, or anchors to re-run
	done    int
	base    int                  // mutants done before the mutants phase began (they start during the baseline)
	running map[string]time.Time // site id -> when its mutant started
	stop    chan struct{}
}

func newProgress(w io.Writer, start time.Time) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd())), start: start,
		every: time.Second, quiet: 30 * time.Second, running: map[string]time.Time{}}
}

// Phase starts a phase and, with the first one, the ticker.
func (p *progress) Phase(phase string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	done := 0
	if phase == "mutants" && p.phase == "baseline" {
		done = p.done // mutants that finished while the baseline ran
	}
	p.phase, p.n, p.done, p.base, p.since = phase, n, done, done, time.Now()
	if p.last.IsZero() {
		p.last = p.since // the quiet spell counts from the first phase
	}
	switch phase {
	case "discover":
		p.line("teeth: finding offload sites", true)
	case "compile":
		p.line(fmt.Sprintf("teeth: offload sites found in %s; checking that %s compile", p.elapsed(p.start), plural(n, "mutant")), true)
	case "mutants":
		p.line(fmt.Sprintf("teeth: baseline done, %s elapsed; running %s", p.elapsed(p.start), plural(n, "mutant")), true)
	case "restore":
		p.line(fmt.Sprintf("teeth: restore check: re-running %s on the restored sandboxes", plural(n, "anchor")), true)
	}
	if p.stop == nil {
		p.stop = make(chan struct{})
		go p.tick(p.stop)
	}
}

// Running records that a site's mutant started or finished.
func (p *progress) Running(site string, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.running[site] = time.Now()
	} else {
		delete(p.running, site)
	}
}

// Progress records that done of total mutants are finished (compiled, in
// the compile check: plain output says so only after a quiet spell).
func (p *progress) Progress(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.n = done, total
	p.line(p.status(), !p.tty && p.phase == "mutants")
}

func (p *progress) tick(stop chan struct{}) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.phase == "" { // finished while this tick waited for the lock
			} else if p.tty {
				p.line(p.status(), false)
			} else if time.Since(p.last) >= p.quiet {
				p.line(p.status(), true)
			}
			p.mu.Unlock()
		}
	}
}

// status is the current state in one line.
func (p *progress) status() string {
	var s string
	switch p.phase {
	case "discover":
		s = fmt.Sprintf("teeth: finding offload sites, %s elapsed", p.elapsed(p.start))
	case "compile":
		s = fmt.Sprintf("teeth: compile check %d/%d, %s elapsed", p.done, p.n, p.elapsed(p.start))
	case "baseline":
		s = fmt.Sprintf("teeth: baseline and gate self-check, %s elapsed", p.elapsed(p.start))
		if p.n > 0 {
			s += fmt.Sprintf("; mutants of the tests done so far: %d/%d", p.done, p.n)
		}
	case "restore":
		s = fmt.Sprintf("teeth: restore check of %s, %s elapsed", plural(p.n, "anchor"), p.elapsed(p.start))
	default:
		s = fmt.Sprintf("teeth: mutants %d/%d, %s elapsed", p.done, p.n, p.elapsed(p.start))
		// An average says nothing once every mutant left is running: the
		// line then says which one runs and for how long instead.
		if p.done > p.base && p.n-p.done > len(p.running) {
			mutants := time.Since(p.since)
			eta := time.Duration(float64(mutants) / float64(p.done-p.base) * float64(p.n-p.done))
			s += ", eta " + eta.Round(time.Second).String()
		}
	}
	if site, since, more := p.longest(); site != "" && (p.phase == "mutants" || p.phase == "baseline") {
		s += fmt.Sprintf("; running %s for %s", site, p.elapsed(since))
		if more > 0 {
			s += fmt.Sprintf(" (+%d more)", more)
		}
	}
	return s
}

// longest is the mutant running the longest, when it started, and how many others run.
func (p *progress) longest() (site string, since time.Time, more int) {
	ids := make([]string, 0, len(p.running))
	for id := range p.running {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if site == "" || p.running[id].Before(since) {
			site, since = id, p.running[id]
		}
	}
	return site, since, max(len(ids)-1, 0)
}

func (p *progress) elapsed(since time.Time) string {
	return time.Since(since).Round(time.Second).String()
}

// line writes s: on a terminal it replaces the current line (and, with
// keep, stays there as a line of its own); otherwise it is printed when keep.
func (p *progress) line(s string, keep bool) {
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", s)
		p.drawn = true
		if keep && !strings.HasPrefix(s, "teeth: mutants") {
			fmt.Fprintln(p.w)
			p.drawn = false
		}
		return
	}
	if keep {
		fmt.Fprintln(p.w, s)
		p.last = time.Now()
	}
}

// Finish stops the ticker and ends the progress line.
func (p *progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		close(p.stop)
		p.stop = nil
	}
	p.phase = ""
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// plural is "1 anchor" or "n anchors".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
