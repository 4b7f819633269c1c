; Mutual recursion and call chains of internal functions: is_even/is_odd call each
; other, and a chain of internal stages leads from an exported entry point.
target triple = "x86_64-pc-linux-gnu"

define internal i1 @is_even(i32 %n) {
entry:
  %z = icmp eq i32 %n, 0
  br i1 %z, label %yes, label %rec
yes:
  ret i1 true
rec:
  %m = sub i32 %n, 1
  %r = call i1 @is_odd(i32 %m)
  ret i1 %r
}

define internal i1 @is_odd(i32 %n) {
entry:
  %z = icmp eq i32 %n, 0
  br i1 %z, label %no, label %rec
no:
  ret i1 false
rec:
  %m = sub i32 %n, 1
  %r = call i1 @is_even(i32 %m)
  ret i1 %r
}

define i32 @parity(i32 %n) {
  %e = call i1 @is_even(i32 %n)
  %r = zext i1 %e to i32
  ret i32 %r
}

define internal i32 @stage3(i32 %x) {
  %r = mul i32 %x, 7
  ret i32 %r
}

define internal i32 @stage2(i32 %x) {
  %a = add i32 %x, 1
  %r = call i32 @stage3(i32 %a)
  ret i32 %r
}

define internal i32 @stage1(i32 %x) {
  %a = add i32 %x, 2
  %r = call i32 @stage2(i32 %a)
  ret i32 %r
}

define i32 @pipeline(i32 %x) {
  %r = call i32 @stage1(i32 %x)
  ret i32 %r
}

define i32 @self_recursive(i32 %n) {
entry:
  %z = icmp sle i32 %n, 1
  br i1 %z, label %base, label %rec
base:
  ret i32 1
rec:
  %m = sub i32 %n, 1
  %r = call i32 @self_recursive(i32 %m)
  %p = mul i32 %r, %n
  ret i32 %p
}
