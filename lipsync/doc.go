// Package lipsync makes a face speak: from a picture (or a video) of a
// face and a recording of speech it makes frames whose mouth moves with
// the speech, as Wav2Lip does, and measures how well lips and speech go
// together.
//
// A Model holds two networks (see Model): a sync expert that tells
// whether five frames of a mouth go with 0.2 s of speech (log-mel
// windows as Wav2Lip's: 16 kHz, n_fft 800, hop 200, 80 Slaney mels), and
// a generator that draws the lower half of a face for one frame's speech
// from an identity picture and the frame with its mouth hidden. Train
// trains the expert, freezes it, then trains the generator with an L1 and
// a sync-expert loss:
//
//	m, err := lipsync.New(lipsync.DefaultConfig())
//	rep, err := lipsync.Train(ctx, m, lipsync.Data{Train: ds.Split("train"), Val: ds.Split("val")}, lipsync.TrainOptions{})
//	frames, err := m.LipFrames([]image.Image{photo}, speech, 16000) // one frame per 1/25 s
//	met, err := lipsync.Evaluate(m, ds.Split("test"), lipsync.EvalOptions{})
//	fmt.Print(met.Table())
//
// Pretrained returns the shipped model, trained on synth.Speakers talking
// faces. Frames are scaled and centre-cropped to Config.Size pixels (64),
// and the face should fill them as synth.Speakers' faces do; the model
// redraws the lower half of the face only.
//
// Evaluate scores held-out clips: how the mouth opening measured on the
// pixels of the generated frames follows that of the real frames of the
// same speech, the sync expert's LSE-D and LSE-C (SyncNet's measures,
// offsets within ±15 frames) and the offset it finds, beside the real
// frames, the identity frame repeated (no motion), the real frames with
// the speech shifted 10 frames, and the model dubbing another speaker's
// speech. "avl lipsync" makes frames, a GIF and a contact sheet;
// "avl lipsync train|eval" trains and evaluates; examples/lipsync runs
// the whole task on a synthetic corpus.
package lipsync
