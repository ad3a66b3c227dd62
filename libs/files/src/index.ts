// Files: the parts of the file lifecycle that both the API and the worker run (verifying an
// uploaded object, accepting or rejecting it and giving its reservations back).
export {};
