// Command curves draws the validation curves of several training runs on
// one figure: the validation score against wall time and against
// optimiser steps, from the PREFIX.csv files that --curves writes.
//
//	go run ./internal/experiments/curves -o PREFIX [-steps 100] LABEL=RUN.csv[@MIX][+NEXT.csv[@MIX]] ...
//
// It writes PREFIX-time.png and PREFIX-steps.png. RUN.csv+NEXT.csv chains
// a run and its --init continuation into one curve. A file without the
// val_score column (written before it existed) is scored from its
// validation loss, for separation's negative SI-SDR loss: score =
// −val_loss − MIX, where MIX is the mean SI-SDR in dB of its unprocessed
// validation mixtures (avl separation eval --split val --n 64 --seed
// TRAINSEED+7919 prints it).
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"image/color"
	"os"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// point is one epoch of a run.
type point struct{ minutes, steps, score float64 }

func main() {
	out := flag.String("o", "", "output prefix (required)")
	steps := flag.Float64("steps", 100, "optimiser steps per epoch")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: curves -o PREFIX LABEL=RUN.csv[@MIX][+NEXT.csv[@MIX]] ...")
		os.Exit(2)
	}
	var labels []string
	var runs [][]point
	for _, arg := range flag.Args() {
		label, files, ok := strings.Cut(arg, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "curves: %q: want LABEL=FILE.csv\n", arg)
			os.Exit(2)
		}
		var run []point
		for _, f := range strings.Split(files, "+") {
			f, m, hasMix := strings.Cut(f, "@")
			var mix float64
			var err error
			if hasMix {
				if mix, err = strconv.ParseFloat(m, 64); err != nil {
					fmt.Fprintf(os.Stderr, "curves: %q: mixture SI-SDR %q is not a number\n", arg, m)
					os.Exit(2)
				}
			}
			if run, err = readRun(f, run, *steps, mix); err != nil {
				fmt.Fprintln(os.Stderr, "curves:", err)
				os.Exit(1)
			}
		}
		labels, runs = append(labels, label), append(runs, run)
	}
	for _, ax := range []struct {
		name, label string
		x           func(point) float64
	}{{"time", "wall time (minutes)", func(p point) float64 { return p.minutes }},
		{"steps", "optimiser steps", func(p point) float64 { return p.steps }}} {
		if err := draw2(*out+"-"+ax.name+".png", ax.label, labels, runs, ax.x); err != nil {
			fmt.Fprintln(os.Stderr, "curves:", err)
			os.Exit(1)
		}
	}
}

// readRun appends the epochs of the curve file path to run, continuing
// its time and step counts.
func readRun(path string, run []point, perEpoch, mix float64) ([]point, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		return nil, fmt.Errorf("%s: not a curve file (%v)", path, err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if _, ok := col["val_loss"]; !ok {
		return nil, fmt.Errorf("%s: no val_loss column", path)
	}
	var t0, s0 float64
	if n := len(run); n > 0 {
		t0, s0 = run[n-1].minutes, run[n-1].steps
	}
	var secs float64
	for i, r := range rows[1:] {
		num := func(name string) (float64, bool) {
			j, ok := col[name]
			if !ok || j >= len(r) || r[j] == "" {
				return 0, false
			}
			v, err := strconv.ParseFloat(r[j], 64)
			return v, err == nil
		}
		if v, ok := num("elapsed"); ok {
			secs = v
		} else if v, ok := num("seconds"); ok {
			secs += v
		} else {
			return nil, fmt.Errorf("%s row %d: no time", path, i+2)
		}
		score, ok := num("val_score")
		if !ok {
			v, ok := num("val_loss")
			if !ok {
				return nil, fmt.Errorf("%s row %d: no validation loss", path, i+2)
			}
			score = -v - mix
		}
		run = append(run, point{t0 + secs/60, s0 + float64(i+1)*perEpoch, score})
	}
	return run, nil
}

// draw2 plots every run's score against x.
func draw2(path, xlabel string, labels []string, runs [][]point, x func(point) float64) error {
	p := plot.New()
	p.Title.Text = "validation SI-SDRi"
	p.X.Label.Text, p.Y.Label.Text = xlabel, "SI-SDRi (dB)"
	p.Add(plotter.NewGrid())
	cols := []color.Color{color.RGBA{31, 119, 180, 255}, color.RGBA{255, 127, 14, 255}, color.RGBA{44, 160, 44, 255}, color.RGBA{214, 39, 40, 255}}
	for i, run := range runs {
		xy := make(plotter.XYs, len(run))
		for j, pt := range run {
			xy[j] = plotter.XY{X: x(pt), Y: pt.score}
		}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return err
		}
		c := cols[i%len(cols)]
		l.Color, pts.Color, l.Width = c, c, vg.Points(1.5)
		pts.Shape, pts.Radius = draw.CircleGlyph{}, vg.Points(1.5)
		p.Add(l, pts)
		p.Legend.Add(labels[i], l, pts)
	}
	p.Legend.Top, p.Legend.Left = true, true
	return p.Save(16*vg.Centimeter, 10*vg.Centimeter, path)
}
