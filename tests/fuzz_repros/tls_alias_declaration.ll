; pcodegen bug: a thread_local alias used from another partition is declared there as
; `@tla = external global i64`, without thread_local (irtext.declaration_for, alias
; branch, keeps no thread_local(...) word). With llvm.threadlocal.address the worker's
; verifier rejects the partition; with a plain load the partition reads it as non-TLS.
;   pcodegen compile tls_alias_declaration.ll --parts 2 --strategy round-robin -o out
;   -> worker for part-00N failed: llvm.threadlocal.address operand isThreadLocal() must be true
target triple = "x86_64-pc-linux-gnu"

@tl = thread_local(initialexec) global i64 8, align 8
@tla = thread_local(initialexec) alias i64, ptr @tl

define i64 @get() {
  %p = call ptr @llvm.threadlocal.address.p0(ptr @tla)
  %v = load i64, ptr %p, align 8
  ret i64 %v
}

define i64 @get_direct() {
  %v = load i64, ptr @tla, align 8
  ret i64 %v
}

declare ptr @llvm.threadlocal.address.p0(ptr)
