; Internal functions and variables used from several external functions: a partition
; that does not own one sees it as a hidden global under a new name. Also a private
; string constant and an internal counter.
target triple = "x86_64-pc-linux-gnu"

@.str = private unnamed_addr constant [6 x i8] c"hello\00", align 1
@counter = internal global i32 0, align 4
@shared_name = internal global i32 5, align 4

declare i32 @puts(ptr)

define internal void @bump() {
  %v = load i32, ptr @counter
  %n = add i32 %v, 1
  store i32 %n, ptr @counter
  ret void
}

define internal i32 @helper(i32 %x) {
  call void @bump()
  %s = load i32, ptr @shared_name
  %r = add i32 %x, %s
  ret i32 %r
}

define i32 @api_one(i32 %x) {
  %r = call i32 @helper(i32 %x)
  ret i32 %r
}

define i32 @api_two(i32 %x) {
  %r = call i32 @helper(i32 %x)
  %p = call i32 @puts(ptr @.str)
  ret i32 %r
}

define i32 @api_three() {
  call void @bump()
  %v = load i32, ptr @counter
  ret i32 %v
}

define i32 @shared_name.pcg.0() {
  %v = load i32, ptr @shared_name
  ret i32 %v
}
