package avio_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/avlearn/avlearn/avio"
)

// NPYColumnWriter fills a (rows, cols) .npy array one column at a time.
func ExampleCreateNPYColumns() {
	path := filepath.Join(os.TempDir(), "avio-example-columns.npy")
	w, err := avio.CreateNPYColumns(path, 2, 3)
	if err != nil {
		log.Fatal(err)
	}
	for t := 0; t < 3; t++ {
		if err := w.WriteColumn([]float32{float32(t), float32(10 * t)}); err != nil {
			w.Abort()
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	defer os.Remove(path)
	a, err := avio.ReadNPY(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Shape, a.Data)
	// Output: [2 3] [0 1 2 0 10 20]
}
