package spectrogram_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/spectrogram"
)

// A WAV file of any length becomes a .npy mel spectrogram in a few
// megabytes of memory: WAVReader → Stream → NPYWriter.
func ExampleCreateNPY() {
	r, err := avio.OpenWAV("../testdata/speech.wav")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	info := r.Info()
	c := spectrogram.DefaultConfig(info.SampleRate)
	c.NMels, c.DB = 40, true // TopDB must stay 0: it needs the whole spectrogram

	out := filepath.Join(os.TempDir(), "spectrogram-example.npy")
	w, err := spectrogram.CreateNPY(out, c, info.Frames)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Abort() // removes the temporary file unless Close succeeded
	st, err := spectrogram.NewStream(c, w.WriteFrame)
	if err != nil {
		log.Fatal(err)
	}
	block := make([]float64, 4096)
	for {
		n, err := r.ReadMono(block)
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if err := st.Write(block[:n]); err != nil {
			log.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	defer os.Remove(out)

	a, err := avio.ReadNPY(out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.DType, a.Shape)
	// Output: <f4 [40 268]
}
