; !llvm.linker.options and !llvm.dependent-libraries: module-level requests to the
; linker, written into the object (.linker-options, key/value pairs on ELF; .deplibs).
; They belong to the module, not to a definition: the partitions must carry every one.
target triple = "x86_64-pc-linux-gnu"

define i32 @first(i32 %x) {
  %r = add i32 %x, 1
  ret i32 %r
}

define i32 @second(i32 %x) {
  %r = mul i32 %x, 2
  ret i32 %r
}

define i32 @third(i32 %x) {
  %a = call i32 @first(i32 %x)
  %r = call i32 @second(i32 %a)
  ret i32 %r
}

!llvm.linker.options = !{!0, !1}
!llvm.dependent-libraries = !{!2, !3}

!0 = !{!"lib", !"m"}
!1 = !{!"pcg-key", !"pcg-value"}
!2 = !{!"m"}
!3 = !{!"pthread"}
