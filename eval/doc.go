// Package eval measures what a model's outputs or features are worth: the
// shared evaluation kit of avlearn's tasks, demo and tests.
//
// A feature vector per clip (a [][]float64 of rows) becomes a number with
// a meaning through the pieces here:
//
//   - linear probes: [TrainClassifier] fits multinomial softmax regression
//     with an L2 penalty on standardised features ([Standardiser] fitted on
//     the train rows only); [Probe] chooses the penalty from [ProbeLambdas]
//     on a validation split and reports the test accuracy; [CrossValidate]
//     does the same by k-fold cross-validation when a corpus is too small
//     to hold out a test split, with a standard error;
//   - a small non-linear probe, [TrainMLP]: a two-layer perceptron built
//     on nets and trained with nets.Fit;
//   - baselines that give a figure its meaning: [Majority] (always the most
//     frequent train class) and clip descriptors made without learning,
//     [MFCCStats] and [LogMelStats] (mean and standard deviation over
//     frames of each coefficient, computed with the spectrogram package);
//   - retrieval: [Cosine] similarities and [RecallAtK];
//   - reporting: a [Table] whose rows are systems and baselines, printed
//     as aligned text or Markdown.
//
// A typical linear probe of a feature extractor against the MFCC baseline:
//
//	xs, _ := eval.ClipStats(ctx, train, eval.MFCCConfig(22050), nil) // and val, test
//	r, err := eval.Probe("MFCC mean+std", eval.Splits{Train: xs, YTrain: ys, … , Classes: k})
//	t := eval.ProbeResults{r, …}.Table("%.1f")
//	fmt.Print(t.Markdown())
//
// Everything is deterministic: the same inputs (and seed, where there is
// one) give the same numbers.
package eval
