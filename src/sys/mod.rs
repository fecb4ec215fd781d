//! The only place with `unsafe`: mapping the segment and the process-shared robust mutex.
