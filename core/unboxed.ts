// V8 keeps an integer of 31 bits and a sign unboxed (a "Smi", on 64-bit Node). A number read from a
// Float64Array or from a double field is a boxed double instead, even when it is integral, and once a boxed
// double is stored in an object's field, V8 makes that field a double field for every object of the same shape:
// each such object then carries a heap number of its own per field, one more allocation and one more cold
// read. Hot paths that copy times and ids out of typed arrays into objects pass them through here.

/** `x` itself, as a small integer when it is one (-0 becomes 0). */
export function unboxed(x: number): number {
  const small = x | 0;
  return small === x ? small : x;
}
