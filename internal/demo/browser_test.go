package demo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// browser finds a headless-capable Chromium: $AVL_CHROMIUM, or one on PATH.
func browser() string {
	if p := os.Getenv("AVL_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestReportInBrowser opens report.html of a quick demo in headless
// Chromium: the page must load every picture and every WAV it shows (the
// page records that on <body data-media>), and a screenshot is taken. CI
// installs Chromium and sets AVL_REQUIRE_BROWSER=1, so there the test
// cannot skip.
func TestReportInBrowser(t *testing.T) {
	chrome := browser()
	if chrome == "" {
		if os.Getenv("AVL_REQUIRE_BROWSER") == "1" {
			t.Fatal("AVL_REQUIRE_BROWSER=1 but no chromium on PATH (set AVL_CHROMIUM)")
		}
		t.Skip("no chromium on PATH; .ci/run installs Debian's")
	}
	dir := filepath.Join(t.TempDir(), "demo")
	quickRun(t, dir, nil)
	page := filepath.Join(dir, "report.html")
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	// every relative link and source names a file of the folder
	refs := regexp.MustCompile(`(?:src|href)="([^"#]+)"`).FindAllStringSubmatch(string(b), -1)
	var media int
	for _, m := range refs {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(m[1]))); err != nil {
			t.Errorf("report.html links %s: %v", m[1], err)
		}
		if strings.HasSuffix(m[1], ".png") || strings.HasSuffix(m[1], ".wav") || strings.HasSuffix(m[1], ".gif") {
			media++
		}
	}
	if media < 10 {
		t.Errorf("report.html shows %d pictures and sounds, want the demo's (≥ 10)", media)
	}

	run := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
			"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=15000"}
		out, err := exec.CommandContext(ctx, chrome, append(append(base, args...), "file://"+page)...).Output()
		if err != nil {
			t.Fatalf("%s %v: %v", chrome, args, err)
		}
		return string(out)
	}
	dom := run("--dump-dom")
	m := regexp.MustCompile(`<body[^>]*data-media="([^"]*)"`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("no <body data-media> in the rendered page:\n%.500s", dom)
	}
	if m[1] != "ok" {
		t.Errorf("media check in the browser: %s", m[1])
	}
	shot := filepath.Join(dir, "report.png")
	run("--window-size=1200,2400", "--screenshot="+shot)
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
		t.Errorf("screenshot %s: %v", shot, err)
	}
}
