; Globals that reference each other (a cycle, a chain, a table of function pointers),
; internal ones among them, read from functions in other places.
target triple = "x86_64-pc-linux-gnu"

%node = type { ptr, i32 }

@ring_a = global %node { ptr @ring_b, i32 1 }
@ring_b = internal global %node { ptr @ring_c, i32 2 }
@ring_c = global %node { ptr @ring_a, i32 3 }

@chain_head = global ptr @chain_mid
@chain_mid = internal global ptr @chain_tail
@chain_tail = internal constant i32 42

@ops = internal constant [3 x ptr] [ptr @op_add, ptr @op_sub, ptr @op_mul]

define internal i32 @op_add(i32 %a, i32 %b) {
  %r = add i32 %a, %b
  ret i32 %r
}

define internal i32 @op_sub(i32 %a, i32 %b) {
  %r = sub i32 %a, %b
  ret i32 %r
}

define i32 @op_mul(i32 %a, i32 %b) {
  %r = mul i32 %a, %b
  ret i32 %r
}

define i32 @apply(i32 %i, i32 %a, i32 %b) {
  %ext = zext i32 %i to i64
  %slot = getelementptr [3 x ptr], ptr @ops, i64 0, i64 %ext
  %f = load ptr, ptr %slot
  %r = call i32 %f(i32 %a, i32 %b)
  ret i32 %r
}

define i32 @walk() {
  %p = getelementptr %node, ptr @ring_a, i32 0, i32 1
  %v = load i32, ptr %p
  %m = load ptr, ptr @chain_head
  %t = load ptr, ptr %m
  %w = load i32, ptr %t
  %s = add i32 %v, %w
  ret i32 %s
}

define i32 @read_b() {
  %p = getelementptr %node, ptr @ring_b, i32 0, i32 1
  %v = load i32, ptr %p
  ret i32 %v
}
