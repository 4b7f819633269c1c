; A function whose block addresses are used elsewhere stays with every user: another
; function that takes the address, and a global table of addresses (a jump table as
; computed goto builds).
target triple = "x86_64-pc-linux-gnu"

@jump_table = internal constant [2 x ptr] [ptr blockaddress(@dispatch, %one), ptr blockaddress(@dispatch, %two)]

define i32 @dispatch(i32 %i) {
entry:
  %idx = and i32 %i, 1
  %ext = zext i32 %idx to i64
  %slot = getelementptr [2 x ptr], ptr @jump_table, i64 0, i64 %ext
  %target = load ptr, ptr %slot
  indirectbr ptr %target, [label %one, label %two]
one:
  ret i32 10
two:
  ret i32 20
}

define ptr @address_of_one() {
  ret ptr blockaddress(@dispatch, %one)
}

define i32 @unrelated(i32 %x) {
  %y = shl i32 %x, 2
  ret i32 %y
}

define i32 @caller(i32 %x) {
  %a = call i32 @dispatch(i32 %x)
  %b = call i32 @unrelated(i32 %a)
  ret i32 %b
}
