; Aliases stay with their aliasee: a function alias, an alias of an alias, an alias into
; a global variable, and an internal aliasee that only its alias exports.
target triple = "x86_64-pc-linux-gnu"

@table = global [4 x i32] [i32 1, i32 2, i32 3, i32 4]
@second = alias i32, getelementptr inbounds ([4 x i32], ptr @table, i64 0, i64 1)

define i32 @impl(i32 %x) {
  %y = add i32 %x, 1
  ret i32 %y
}

@impl_alias = alias i32 (i32), ptr @impl
@impl_alias2 = alias i32 (i32), ptr @impl_alias

define internal i32 @hidden_impl(i32 %x) {
  %y = mul i32 %x, 3
  ret i32 %y
}

@exported = alias i32 (i32), ptr @hidden_impl

define i32 @use_aliases(i32 %x) {
  %a = call i32 @impl_alias(i32 %x)
  %b = call i32 @impl_alias2(i32 %a)
  %c = call i32 @exported(i32 %b)
  %d = load i32, ptr @second
  %e = add i32 %c, %d
  ret i32 %e
}

define i32 @other(i32 %x) {
  %y = call i32 @impl(i32 %x)
  ret i32 %y
}
