// Command otherspeech makes a talking-face corpus of speech from another
// synthesiser, espeak-ng, to test models trained on synth's voices with
// voices they never heard. Every speaker is one espeak-ng voice and
// variant with its own pitch and speed; every clip says a random sentence.
// All clips are in the test split: the corpus is for evaluation only.
//
//	apt-get install -y espeak-ng
//	go run ./internal/experiments/otherspeech -out DIR [-per 20] [-seconds 2] [-seed 1] [-size 64]
//
// testdata/otherspeech/make.sh records the command that made the small
// committed set.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/synth"
)

// voices are the speakers: espeak-ng voice+variant, with the range of
// pitch (-p, 0–99) its speaker uses.
var voices = []struct {
	voice  string
	pitch  [2]int
	female bool
}{
	{"en-us+m1", [2]int{30, 50}, false},
	{"en-us+f3", [2]int{45, 70}, true},
	{"en+m3", [2]int{25, 45}, false},
	{"en+f2", [2]int{50, 75}, true},
	{"en-gb-scotland+m7", [2]int{30, 50}, false},
	{"en-029+f4", [2]int{40, 65}, true},
	{"en-gb-x-rp+m5", [2]int{35, 55}, false},
	{"en-us+f5", [2]int{45, 70}, true},
	{"en-gb-x-gbclan+m2", [2]int{25, 45}, false},
	{"en-us+f1", [2]int{50, 75}, true},
	{"en-us+m4", [2]int{30, 50}, false},
	{"en-gb-x-rp+f3", [2]int{45, 70}, true},
}

var words = strings.Fields(`the a my your this that some every our their
man woman child dog cat bird house garden river city road window table
morning evening summer winter music story letter picture friend teacher
small old bright quiet heavy green yellow happy little early late cold
walks runs finds brings holds opens closes watches follows carries sings
reads writes builds paints keeps leaves meets calls asks wants needs
slowly often never always quickly together again outside inside today
near under over behind across through into beside after before`)

// sentence draws n random words, capitalised, with a full stop.
func sentence(r *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = words[r.IntN(len(words))]
	}
	s := strings.Join(w, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func main() {
	out := flag.String("out", "", "output folder (new or empty)")
	per := flag.Int("per", 20, "clips per voice")
	nv := flag.Int("voices", len(voices), fmt.Sprintf("number of voices (1–%d)", len(voices)))
	seconds := flag.Float64("seconds", 2, "clip length in seconds (speech is cut or padded with silence)")
	seed := flag.Int64("seed", 1, "seed for sentences, pitch, speed and faces")
	size := flag.Int("size", 64, "frame size in pixels")
	flag.Parse()
	if *out == "" || *per < 1 || *nv < 1 || *nv > len(voices) || !(*seconds > 0.3) {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*out, *per, *nv, *seconds, *seed, *size); err != nil {
		fmt.Fprintln(os.Stderr, "otherspeech:", err)
		os.Exit(1)
	}
}

func run(out string, per, nv int, seconds float64, seed int64, size int) error {
	tmp, err := os.MkdirTemp("", "otherspeech-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var clips []synth.ExternalClip
	for v := 0; v < nv; v++ {
		vc := voices[v]
		r := rand.New(rand.NewPCG(uint64(seed), uint64(v)))
		speed := 140 + r.IntN(50) // words per minute
		pitch := vc.pitch[0] + r.IntN(vc.pitch[1]-vc.pitch[0]+1)
		name := fmt.Sprintf("e%02d", v)
		for k := 0; k < per; k++ {
			text := sentence(r, int(math.Round(0.9*seconds*float64(speed)/60))+r.IntN(2))
			wav := filepath.Join(tmp, fmt.Sprintf("%s-%03d.wav", name, k))
			cmd := exec.Command("espeak-ng", "-v", vc.voice, "-s", fmt.Sprint(speed), "-p", fmt.Sprint(pitch), "-w", wav, text)
			if msg, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("espeak-ng -v %s: %v: %s", vc.voice, err, msg)
			}
			a, _, err := avio.ReadWAV(wav)
			if err != nil {
				return err
			}
			x := fit(a.Mono(), a.SampleRate, seconds)
			sex := "m"
			if vc.female {
				sex = "f"
			}
			clips = append(clips, synth.ExternalClip{Audio: x, Rate: a.SampleRate, Speaker: name, Split: "test",
				Labels: map[string]string{"voice": vc.voice, "caption": text, "sex": sex,
					"espeak_pitch": fmt.Sprint(pitch), "espeak_speed": fmt.Sprint(speed)}})
		}
	}
	return synth.ExternalSpeakers(out, clips, synth.ExternalOptions{Seed: seed, Size: size})
}

// fit cuts x to seconds, starting 50 ms before the first sample above 1 %
// of the peak, and pads with silence.
func fit(x []float64, rate int, seconds float64) []float64 {
	peak := 0.0
	for _, v := range x {
		peak = math.Max(peak, math.Abs(v))
	}
	start := 0
	for start < len(x) && math.Abs(x[start]) < 0.01*peak {
		start++
	}
	start = max(0, start-rate/20)
	n := int(math.Round(seconds * float64(rate)))
	y := make([]float64, n)
	copy(y, x[min(start, len(x)):])
	return y
}
