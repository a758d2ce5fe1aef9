// Package speech2face hears a voice and draws the face: cross-modal
// translation as in Oh et al., Speech2Face (CVPR 2019), in three networks
// trained one after the other on clips of talking faces.
//
//  1. A face recogniser (a small CNN) maps a face picture to an identity
//     embedding (fc7) and logits over the training speakers (fc8); it is
//     trained to tell the speakers apart in jittered frames (pose, light,
//     expression, crop).
//  2. A face decoder draws, from the embedding of any picture of a
//     person, that person's frontal, neutral face (pixel L1 plus a
//     consistency loss: the decoded face must re-encode to the same
//     embedding).
//  3. A voice encoder maps the speech's compressed complex spectrogram
//     (16 kHz, 25 ms Hann window, 10 ms hop, n_fft 512, magnitude to the
//     power 0.3 with the phase kept; real and imaginary parts) to the face
//     embedding, with the face networks frozen: L1 on the embedding and
//     on the decoder's first features, a normalised-embedding term and
//     distillation of the fc8 logits at temperature 2.
//
// A voice cannot give away an identity, only what voices and faces share
// (sex, age, build); Evaluate measures exactly that on speakers the model
// never saw, beside voices shuffled across speakers (what a face drawn
// without listening scores) and the decoder fed the true face's embedding
// (the best the decoder allows).
//
//	cfg := speech2face.DefaultConfig()
//	cfg.Identities = speech2face.IdentitiesOf(ds.Split("train"))
//	m, err := speech2face.New(cfg)
//	rep, err := speech2face.Train(ctx, m, speech2face.Data{Train: ds.Split("train"), Val: ds.Split("val")}, speech2face.TrainOptions{})
//	face, err := m.FaceFromVoice(samples) // 16 kHz mono, any length
//	met, err := speech2face.Evaluate(m, ds.Split("test"), speech2face.EvalOptions{Train: ds.Split("train")})
//	fmt.Print(met.Table())
//
// Data is any clip dataset with "speaker" labels, audio and frames; a
// clip's face.png (FaceFile; synth.Speakers writes it) is the speaker's
// reference face, else its middle frame. When every training clip also
// holds a face network's embedding of its speaker (TeacherFile,
// face_embedding.npy), the recogniser learns to give those embeddings: a
// real face network becomes the teacher. Pretrained returns the shipped
// model, trained on synth.Speakers; "avl speech2face" and
// examples/speech2face drive it.
package speech2face
