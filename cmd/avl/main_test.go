package main

import (
	"io"
	"strings"
	"testing"
)

func TestUnknownCommand(t *testing.T) {
	var errb strings.Builder
	if code := run([]string{"nope"}, io.Discard, &errb); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(errb.String(), `unknown command "nope"`) {
		t.Fatalf("stderr %q", errb.String())
	}
}

func TestHelp(t *testing.T) {
	var errb strings.Builder
	if code := run([]string{"-h"}, io.Discard, &errb); code != 0 {
		t.Fatalf("exit %d", code)
	}
	// Every registered command answers -h with exit 0.
	for name := range commands {
		var e strings.Builder
		if code := run([]string{name, "-h"}, io.Discard, &e); code != 0 {
			t.Errorf("avl %s -h: exit %d, stderr %q", name, code, e.String())
		}
	}
}
