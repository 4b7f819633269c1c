; !associated: a global with `!associated !N` goes into a SHF_LINK_ORDER section linked
; to the section of the global !N names, so the linker keeps it exactly as long as it
; keeps that global (--gc-sections): meta_live survives with live, meta_dead goes with
; dead. Both need their associated global in the same object.
target triple = "x86_64-pc-linux-gnu"

@live = global i32 1, section "pcg_live"
@dead = global i32 2, section "pcg_dead"
@meta_live = internal constant i32 10, section "pcg_meta", !associated !0
@meta_dead = internal constant i32 20, section "pcg_meta", !associated !1
@llvm.compiler.used = appending global [2 x ptr] [ptr @meta_live, ptr @meta_dead], section "llvm.metadata"
@.fmt = private unnamed_addr constant [4 x i8] c"%d\0A\00"

declare i32 @printf(ptr, ...)

define i32 @main() {
  %l = load i32, ptr @live
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, i32 %l)
  ret i32 0
}

!0 = !{ptr @live}
!1 = !{ptr @dead}
