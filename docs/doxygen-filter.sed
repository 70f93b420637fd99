# Plain C comments read as doc comments (see INPUT_FILTER in Doxyfile.in).
# A file's opening comment documents the file.
1s|^/\*+ ?(.*[^ ]) ?\*/$|/** \1 \\file */|
1s|^/\*+$|/** \\file|
# A comment after a member or enum value documents it.
s|([;,])([ 	]+)/\*([^*])|\1\2/**<\3|
# A comment opening a line documents what follows it.
2,$s|^([ 	]*)/\*([ 	]\|$)|\1/**\2|
