// Package synth writes procedural audio-visual corpora in the clip-dataset
// format (ROOT/<clip>/audio.wav, frames/%06d.png, meta.json; see package
// avio), so every avlearn task can be trained and tested without
// downloading data. A corpus is a pure function of its options and seed:
// the same seed gives the same bytes, whatever the number of workers,
// because clip i draws all its randomness from a stream derived from the
// seed and i. (Bytes are reproducible on one architecture; compilers for
// some, such as arm64, may fuse multiply-adds and change the last bits.)
// Clips are written to a hidden temporary folder and renamed, so an
// interrupted run never leaves half a clip; each run also writes
// contact.png, a grid of sample frames, at the corpus root. The output
// folder must be new or empty, so two corpora are never mixed.
//
// From the command line:
//
//	avl synth scenes   --out DIR --n 1000 --seed 1
//	avl synth speakers --out DIR --n 1000 --speakers 100
//	avl synth captions --out DIR --n 1000 --speakers 4
//	avl synth sensors  --out DIR --n 1800
//	avl dataset check DIR
//
// The sound and the pictures of every corpus are tied by rules that a
// network has to discover. The rules are stochastic and every parameter
// also varies independently, so no single feature gives a label away.
//
// # Scenes (SoundNet)
//
// Scenes writes clips of one scene class (beach, forest, city, kitchen,
// stadium, underwater, desert, office; the first ScenesOptions.Scenes) and
// one object class (bird, dog, car, bell, phone, drum, whistle, clock; the
// first ScenesOptions.Objects), with 22,050 Hz audio (SceneRate), 5 s and
// 2 fps by default. Labels: "scene", "object", "caption" ("a dog in the
// city") and "visible" (one character per frame, '1' when the object is on
// screen).
//
// Pictures: the scene sets the layout (horizon height), palette (sky and
// ground colours) and texture (waves, trees, buildings with windows, floor
// tiles, crowd, bubbles, dunes, desks); the object is a shape (triangle,
// square, car-like box, disc, small box, ring, star, cross) drawn while it
// is "on screen" during 1–3 appearances, moving a little.
//
// Sound: the scene sets the ambience — band-limited noise (class-typical
// band edges), a slow rhythmic amplitude modulation (waves ≈ 0.15 Hz, crowd
// chants ≈ 1.8 Hz …), a mains or appliance hum at a class-typical
// fundamental (city ≈ 55 Hz, kitchen ≈ 110 Hz, office ≈ 120 Hz) and a click
// texture (kitchen, office, underwater). The object makes its sound only
// while it is visible: chirps (bird), harmonic barks (dog), a gliding
// engine drone (car), inharmonic decaying partials (bell), two-tone beeps
// (phone), pitch-dropping hits (drum), a held vibrato tone (whistle),
// periodic clicks (clock).
//
// Variation: every colour is jittered (σ 0.12–0.15 per channel), the
// horizon by σ 0.1, band edges and hum frequencies by a log-normal factor
// (σ 0.45 and 0.25), modulation depth and rate, object size, rotation and
// pitch; 30 % of clips get a stray hum and 30 % a stray click texture of
// any class, and the object-to-ambience level is uniform in −2…12 dB. The
// classes therefore overlap on purpose: a linear classifier on MFCC
// statistics does far better than chance but does not solve them, which
// leaves room for learned features (TestScenesMFCCBaseline checks it;
// docs/runs/synth.md has the figures). Splits are drawn per clip (10 % val,
// 10 % test by default).
//
// # Speakers (Speech2Face, separation, lip motion)
//
// Speakers writes talking-face clips: one identity per clip (clip i shows
// speaker i mod K), saying a random syllable sequence at SpeechRate
// (16 kHz), with 25 fps frames and face.png, the speaker's neutral frontal
// reference picture, in every clip folder. Splits are by identity: 70/15/15
// % of identities (at least one each when K ≥ 3), so test speakers never
// appear in train. Labels: "speaker" ("s007"), "caption" (the syllables
// said, e.g. "ba-mi-to ku-sa"), and the identity's hidden and visible
// attributes as decimal strings: "sex_like", "face_height", "face_width",
// "jaw", "brow", "eye_size", "f0_hz", "formant_scale", "breathiness".
//
// Identities (NewSpeaker) are drawn from three hidden factors: a bimodal
// sex-like attribute s ∈ [0, 1], a size factor z and a breath factor b
// (both standard normal). The rules, with n an independent N(0, 1) each time:
//
//	F0            = 230 Hz · exp(−0.8 s + 0.06 n)
//	jaw width     = 0.25 + 0.5 s + 0.1 n         brow thickness = 0.2 + 0.6 s + 0.12 n
//	vocal tract   = 14.8 + 2.4 s + 1.4 z + 0.3 n cm, FormantScale = 17 cm / tract
//	face height   = 0.365 + 0.022 z + 0.008 s (fraction of the picture)
//	breathiness   = 0.3 + 0.12 b                 eye size = 0.15 + 0.02 (0.8 b + 0.6 n)
//
// Skin tone, hair colour and style, eye spacing, nose length, face width
// and speaking rate are independent of the voice (distractors).
//
// The voice is a source-filter formant synthesiser (Speak): a Rosenberg
// glottal pulse train at F0 with declination, per-syllable accents, jitter
// and shimmer; aspiration noise scaled by breathiness; a cascade of four
// second-order resonators (F1–F4, bandwidths widened by breathiness) with
// every formant multiplied by FormantScale; a parallel noise resonator for
// fricatives and bursts. Phones: vowels a e i o u; consonants p b m t d n
// k s f l (stops with closure, burst and aspiration, nasals, fricatives, a
// lateral).
//
// The frames follow the articulation (TalkingFace): jaw opening grows with
// F1 and lip rounding with falling F2 (VowelArticulation); the mouth is
// closed in silence and for p, b, m; the track is smoothed forwards and
// backwards (≈ 14 ms) so the lips anticipate and lag as real ones do.
// Every clip has its own head pose, position, scale, lighting, background,
// brow raise and smile, and the head bobs slightly from frame to frame.
//
// TestSpeakerTies checks these ties on the written files, measuring pitch,
// formants, chin height and mouth opening as a model would have to
// (docs/runs/synth.md has the correlations). The formant tie is the subtle
// one: F0, breathiness and what was said move the spectrum too, so a model
// has to average over speech to see it.
//
// # Captions (image to speech)
//
// Captions writes still pictures of one to three shapes (colour: red,
// green, blue, yellow, purple; shape: circle, square, triangle, star;
// position: left, right, top, bottom, centre) with a spoken caption such as
// "red circle left and blue square right", said by one of K voices. Each
// word always has the same syllables (Words), so word units are learnable
// across voices. Labels: "caption" (the text), "speaker", "syllables" (the
// syllables said).
//
// # Sensors (fusion)
//
// Sensors writes clips of one event each, seen, heard and felt by three
// synchronised sensors: frames, audio.wav and motion.wav (avio.MotionFile,
// a 100 Hz accelerometer track). Each stream shows nothing or one of two
// cues, and the nine events (SensorEvents) are coded so that any two
// streams tell them all apart while one stream alone tells at most three
// groups apart: some events are only heard, seen or felt, the others leave
// cues in two or three streams. Labels: "event", "onset".
package synth
