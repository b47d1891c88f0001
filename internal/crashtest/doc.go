// Package crashtest holds the crash-safety test of the real binary: kill -9
// under load, restart, and check that every acknowledged payment is present
// exactly once and conservation holds.
package crashtest
