package nets

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// WriteCSV writes the history as CSV, one row per epoch:
// epoch,train_loss,val_loss,lr,grad_norm,seconds,elapsed,val_score —
// seconds of the epoch, seconds since the start of training, and the
// Scorer's figure (h.Score); val_loss and val_score are empty when there
// are none. The file is replaced atomically.
func (h History) WriteCSV(path string) error {
	orEmpty := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return fmt.Sprint(v)
	}
	return stWriteAtomic(path, func(w io.Writer) error {
		if _, err := fmt.Fprintln(w, "epoch,train_loss,val_loss,lr,grad_norm,seconds,elapsed,val_score"); err != nil {
			return err
		}
		for _, e := range h.Epochs {
			score := ""
			if h.Score != "" {
				score = orEmpty(e.ValScore)
			}
			if _, err := fmt.Fprintf(w, "%d,%v,%s,%v,%v,%.4g,%.5g,%s\n", e.Epoch, e.TrainLoss, orEmpty(e.ValLoss), e.LR, e.GradNorm,
				e.Duration.Seconds(), e.Elapsed.Seconds(), score); err != nil {
				return err
			}
		}
		return nil
	})
}

// PlotScorePNG draws the validation score (h.Score, EpochStats.ValScore)
// against wall time in minutes as a 16×10 cm PNG, replaced atomically.
func (h History) PlotScorePNG(path string) error {
	var xy plotter.XYs
	for _, e := range h.Epochs {
		if !math.IsNaN(e.ValScore) {
			xy = append(xy, plotter.XY{X: e.Elapsed.Minutes(), Y: e.ValScore})
		}
	}
	if len(xy) == 0 {
		return fmt.Errorf("nets: plotting %s: no validation score", path)
	}
	p := plot.New()
	p.Title.Text = "validation " + h.Score + " against wall time"
	p.X.Label.Text, p.Y.Label.Text = "minutes", h.Score
	p.Add(plotter.NewGrid())
	l, pts, err := plotter.NewLinePoints(xy)
	if err != nil {
		return fmt.Errorf("nets: plotting %s: %w", path, err)
	}
	col := color.RGBA{R: 255, G: 127, B: 14, A: 255}
	l.Color, pts.Color, l.Width = col, col, vg.Points(1.5)
	pts.Shape, pts.Radius = draw.CircleGlyph{}, vg.Points(2)
	p.Add(l, pts)
	return writePlot(p, path)
}

// PlotPNG draws the training (and validation) loss against the epoch as a
// 16×10 cm PNG, replaced atomically, titled with h.Loss. The loss axis is logarithmic when the
// losses are positive and span more than two decades.
func (h History) PlotPNG(path string) error {
	p := plot.New()
	p.Title.Text = "training loss"
	p.Y.Label.Text = "loss"
	if h.Loss != "" {
		p.Title.Text, p.Y.Label.Text = h.Loss, h.Loss
	}
	p.X.Label.Text = "epoch"
	p.Add(plotter.NewGrid())
	var tr, va plotter.XYs
	for _, e := range h.Epochs {
		tr = append(tr, plotter.XY{X: float64(e.Epoch), Y: e.TrainLoss})
		if !math.IsNaN(e.ValLoss) {
			va = append(va, plotter.XY{X: float64(e.Epoch), Y: e.ValLoss})
		}
	}
	for _, c := range []struct {
		name string
		xy   plotter.XYs
		col  color.Color
	}{{"train", tr, color.RGBA{R: 31, G: 119, B: 180, A: 255}}, {"validation", va, color.RGBA{R: 255, G: 127, B: 14, A: 255}}} {
		if len(c.xy) == 0 {
			continue
		}
		// points as well as lines: a one-epoch run still shows its loss
		l, pts, err := plotter.NewLinePoints(c.xy)
		if err != nil {
			return fmt.Errorf("nets: plotting %s: %w", path, err)
		}
		l.Color, pts.Color = c.col, c.col
		l.Width = vg.Points(1.5)
		pts.Shape = draw.CircleGlyph{}
		pts.Radius = vg.Points(2)
		p.Add(l, pts)
		p.Legend.Add(c.name, l, pts)
	}
	p.Legend.Top = true
	if lo, hi := plotRange(tr, va); lo > 0 && hi/lo > 100 {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	return writePlot(p, path)
}

// writePlot renders p as a 16×10 cm PNG at path, replaced atomically.
func writePlot(p *plot.Plot, path string) error {
	wt, err := p.WriterTo(16*vg.Centimeter, 10*vg.Centimeter, "png")
	if err != nil {
		return fmt.Errorf("nets: plotting %s: %w", path, err)
	}
	return stWriteAtomic(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}

// plotRange returns the smallest and largest Y of the curves.
func plotRange(cs ...plotter.XYs) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, c := range cs {
		for _, p := range c {
			lo, hi = math.Min(lo, p.Y), math.Max(hi, p.Y)
		}
	}
	return lo, hi
}
