; Personality functions defined in the module are referenced from another function's
; header: a partition that does not own the personality declares it and keeps the
; reference.
target triple = "x86_64-pc-linux-gnu"

declare void @may_throw()

define i32 @my_personality(i32 %version, i32 %actions, i64 %class, ptr %obj, ptr %ctx) {
  ret i32 8
}

define internal i32 @local_personality(i32 %version, i32 %actions, i64 %class, ptr %obj, ptr %ctx) {
  ret i32 8
}

define i32 @guarded() personality ptr @my_personality {
entry:
  invoke void @may_throw() to label %ok unwind label %pad
ok:
  ret i32 0
pad:
  %lp = landingpad { ptr, i32 } cleanup
  ret i32 1
}

define i32 @guarded_local() personality ptr @local_personality {
entry:
  invoke void @may_throw() to label %ok unwind label %pad
ok:
  ret i32 0
pad:
  %lp = landingpad { ptr, i32 } cleanup
  ret i32 2
}

define i32 @plain(i32 %x) {
  %y = add i32 %x, 9
  ret i32 %y
}
