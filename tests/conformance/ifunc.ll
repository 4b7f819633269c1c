; An ifunc stays with its resolver, and callers of the ifunc elsewhere declare it.
target triple = "x86_64-pc-linux-gnu"

define internal i32 @impl_fast(i32 %x) {
  %r = shl i32 %x, 1
  ret i32 %r
}

define internal ptr @resolve_double() {
  ret ptr @impl_fast
}

@double = ifunc i32 (i32), ptr @resolve_double

define i32 @use_double(i32 %x) {
  %r = call i32 @double(i32 %x)
  ret i32 %r
}

define i32 @other_work(i32 %x) {
  %r = sub i32 %x, 3
  ret i32 %r
}
