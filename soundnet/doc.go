// Package soundnet learns sound representations from unlabelled video, as
// SoundNet (Aytar, Vondrick and Torralba, NIPS 2016): a 1-D convolutional
// network on the raw waveform (SoundNet-8) is trained to match, with a
// KL divergence, the object and scene distributions that visual teacher
// networks give for the video frames at the same moments. No labels reach
// the student; its hidden layers (pool5 above all) then serve as features
// for sound classification with a linear classifier.
//
// The pieces follow avlearn's task shape:
//
//   - Config, DefaultConfig (the distillation recipe: width 0.25, random
//     shifts and gains of the training excerpts), PaperConfig (the
//     paper's full size) and Validate; New, Save, Load and LoadWeights
//     (original weights converted to safetensors load by name; see Model
//     for the names).
//   - Pretrained is the shipped model, distilled on unlabelled synthetic
//     scene video; the commands use it when no model is given.
//   - Teacher gives per-frame object and scene distributions: ImageTeacher
//     is a small CNN trained on labelled frames (TrainTeacher), NPYTeacher
//     reads distributions computed elsewhere from .npy files per clip.
//   - Train distils a teacher into a model on clips' audio and frames.
//   - Model.Features returns a layer's activations for a waveform.
//   - Evaluate measures the student's agreement with the teacher on
//     held-out clips; ProbeTable trains linear probes (package eval) on
//     clip descriptors (LayerDescriptors, Model.ClipDescriptors: each
//     channel's mean and standard deviation over the clip, any length; a
//     clip shorter than the receptive field is looped, not zero-padded)
//     of labelled clips and reports
//     accuracy with its standard error next to random-weight, MFCC and
//     log-mel baselines, on a test split or by k-fold cross-validation,
//     and optionally with a few labels per class.
//
// Waveforms are mono at Rate (22,050 Hz) in [-1, 1], scaled by InputScale
// (256) before conv1 as in the original. Conv8 step j sees input samples
// StepSpan(j) and is taught by the video frame at StepTime(j), the centre
// of that span; steps are StepStride = 65,536 samples (2.97 s) apart, and
// one step needs MinSamples = 209,374 samples (9.50 s), so a 20 s input
// gives 4 steps and a 5 s clip is padded to 9.50 s for 1 step
// (Model.Features pads with zeros; ClipDescriptors loops the clip).
//
// The command line runs the whole path: avl soundnet teacher, distill,
// features and probe. README.md has the current figures and the commands
// that reproduce them; docs/runs/soundnet.md the runs that led there.
package soundnet
