// Package dataset brings your own data to numlearn: it reads numeric CSV
// files into tensors, and shuffles and splits them reproducibly. It is the
// Go counterpart of the np.loadtxt(..., delimiter=',') that opens Sung
// Kim's labs, followed by the shuffling and slicing that every training
// script does.
//
// # Overview
//
// LoadCSV reads a file, ReadCSV any io.Reader; a CSV value says which
// columns are features and which are targets. Then Split cuts the samples
// into training, validation and test sets:
//
//	d, err := dataset.LoadCSV("data-04-zoo.csv", dataset.CSV{Classes: 7})
//	if err != nil {
//		return err // names the file, line and column of bad data
//	}
//	fmt.Println(d.X.Shape(), d.T.Shape(), d.Labels[:3]) // [101 16] [101 7] [0 0 3]
//
//	rng := rand.New(rand.NewPCG(1, 2))
//	train, val, test := d.Split(rng, 0.2, 0.1) // 71, 20 and 10 samples, shuffled
//	// fit a model on train.X and train.T, tune it on val, report it once on test
//
// The zero CSV reads what the labs read: no header, commas, '#' comments,
// the last column the target and the others the features.
//
// # Files
//
// A file holds one sample per record (line). Fields are separated by
// CSV.Comma and may be quoted as RFC 4180 says, as encoding/csv reads
// them (nothing but the separator may follow a closing quote); space
// around a number is ignored, a CRLF line ending is read as LF, a UTF-8
// byte-order mark at the start is ignored, and blank lines and lines
// starting with CSV.Comment are skipped. A first record that names the
// columns is read as a header when CSV.Header is set. Every record must
// have as many fields as the first.
// Numbers are read by strconv.ParseFloat: "3", "-0.5", "1e-3" and " 7 "
// are numbers; "", "n/a", "NaN" and "Inf" are not accepted, since training
// needs every value and a finite one.
//
// CSV.Features and CSV.Targets choose the columns by 0-based index; the
// columns that neither names are skipped without being parsed, so a file
// may keep, say, a column of names. With CSV.Classes set, the one target
// column holds class labels 0 to Classes−1, written as integers ("3" or
// "3.0").
//
// # Shapes
//
// A Data of n samples holds
//
//	X        (n, features)   the feature columns, in the order of CSV.Features
//	T        (n, targets)    the target columns, in the order of CSV.Targets,
//	         (n, Classes)    or the one-hot labels when CSV.Classes > 0
//	Labels   [n]int          the labels when CSV.Classes > 0, else nil
//
// with FeatureNames and TargetNames naming the file's columns: from the
// header, or "column 0", "column 1", … by their 0-based index. X and T
// are what the regression package and a Network take: X as x, T as y or
// as the one-hot t. Subset, Shuffle and Split return new Data with copies
// of the rows, so a part can be changed (standardised, say) without
// touching the others.
//
// # Randomness
//
// Shuffle and Split take a *rand.Rand (math/rand/v2): the same seed gives
// the same order on every run. Split with a nil rng keeps the file's
// order, its training part first and its test part last.
//
// # Errors
//
// As everywhere in numlearn, programmer errors panic and data errors
// return an error. A CSV that contradicts itself (a negative or repeated
// column index, a column both feature and target, Classes negative or
// with more than one target column, an unusable Comma or Comment) makes
// ReadCSV and LoadCSV panic; a row out of range makes Subset panic, and
// fractions out of range make Split panic.
//
// Everything about the input is a data error. ReadCSV and LoadCSV then
// return a *ParseError, which matches ErrFormat through errors.Is and
// gives the file (for LoadCSV), the line, the column where the offending
// field starts (1-based, as an editor counts), the field and the cause:
//
//	dataset: scores.csv: line 7, column 4: "n/a" is not a number
//	dataset: scores.csv: line 9: 3 fields, want 4 as on line 1
//	dataset: zoo.csv: line 30, column 33: class label "7" is not an integer in [0, 7)
//
// An error reading the input (or opening the file) is returned wrapped, as
// the operating system gave it.
package dataset
