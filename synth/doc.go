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
// said, e.g. "ba-mi-tos ku-sa"), and the identity's hidden and visible
// attributes as decimal strings: "sex_like", "face_height", "face_width",
// "jaw", "brow", "eye_size", "eye_spacing", "nose", "f0_hz",
// "formant_scale", "breathiness", "age" (eye spacing and nose length owe
// nothing to the voice).
//
// Identities (NewSpeaker) are drawn from four hidden factors: a bimodal
// sex-like attribute s ∈ [0, 1], a size factor z and a breath factor b
// (both standard normal), and an age a ∈ [0, 1] (18–80 years). The rules,
// with n an independent N(0, 1) each time:
//
//	F0            = 210 Hz · exp(−1.05 (s − 0.2) + (0.06 + 0.08 s) n + a (0.06 s − 0.12 (1 − s)))
//	jaw width     = 0.25 + 0.5 s + 0.1 n         brow thickness = 0.2 + 0.6 s + 0.12 n
//	vocal tract   = 14.2 + 3.6 s + 1.3 z + 0.3 n cm, FormantScale = 17 cm / tract
//	face height   = 0.365 + 0.022 z + 0.008 s (fraction of the picture)
//	breathiness   = 0.26 + 0.12 b + 0.08 (1 − s) + 0.05 a
//	eye size      = 0.15 + 0.02 (0.8 b + 0.6 n)
//
// so men's voices sit near 112 Hz (5–95 % about 86–150 Hz) and women's
// near 210 Hz (TestVoiceFidelity
// checks the published ranges 85–180 and 165–255 Hz on fresh speakers).
// One identity in twelve is a child of 6–12 whatever s: face height
// 0.315 + 0.015 z, larger eyes, half the jaw and brow, a vocal tract of
// 12 + 0.8 z + 0.3 n cm and F0 = 270 Hz · exp(0.08 n).
// Skin tone, hair colour and style, eye spacing, nose length, face width,
// age, speaking rate (4.2–6.2 syllables/s of speech, slower with age),
// pitch range, jitter, shimmer and creak are not visible (distractors).
//
// The voice is a source-filter formant synthesiser (Speak): a
// Liljencrants–Fant glottal source whose shape parameter Rd follows
// breathiness and loosens at voice onsets and offsets, with jitter,
// shimmer, aspiration noise pulsed with the glottal flow and creak at some
// phrase ends; a cascade of five formant resonators (every formant times
// FormantScale) and a nasal pole–zero pair, driven by formant targets per
// phone that are smoothed into trajectories, with consonant targets set by
// locus equations from the neighbouring vowel (coarticulation); a parallel
// noise branch shaped per consonant for fricatives and stop bursts. Phones:
// vowels a e i o u (unstressed ones drift towards schwa); consonants p b t
// d k g (closure, burst, aspiration), m n, s z c f v h, l r w y; syllables
// V, CV or CVC. RandomSyllables groups words into phrases of 4–12
// syllables with pauses, stressed and phrase-final syllables longer;
// intonation has declination, accents on stressed syllables, a final fall
// or rise, vowel-intrinsic pitch and drift. docs/voices/fidelity.md
// compares the result with published values for human speech.
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
// one: F0, voice quality and what was said move the spectrum too, so a model
// has to average over speech to see it.
//
// # Recordings and other voices
//
// Augment turns clean speech into a recording with a seed: room
// reverberation (RoomResponse: exponentially decaying noise with an RT60
// and a direct-to-reverberant ratio), microphone colouring, a telephone
// channel (300–3400 Hz through 8 kHz), background noise at an SNR, level
// and clipping, each with its own probability. ExternalSpeakers wraps
// speech from elsewhere (another synthesiser, a recording) into the
// Speakers format with a synthetic talking face whose mouth follows the
// audio (AudioTrack); testdata/otherspeech/make.sh uses it for espeak-ng
// voices that models never train on.
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
