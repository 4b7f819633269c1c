; C++ thread_local with dynamic initialisation, as clang emits it: the wrapper _ZTW
; (weak_odr hidden, in a comdat) calls the init function _ZTH (an alias of __tls_init,
; guarded per thread by __tls_guard); for a thread_local defined without dynamic
; initialisation elsewhere, the wrapper tests a weak reference to its _ZTH, which stays
; undefined (null) and must not be called. Read from both threads.
target triple = "x86_64-pc-linux-gnu"

$_ZTW3dyn = comdat any
$_ZTW5plain = comdat any

@dyn = thread_local global i32 0, align 4
@plain = thread_local global i32 5, align 4
@__tls_guard = internal thread_local global i8 0, align 1
@init_count = global i32 0, align 4
@_ZTH3dyn = alias void (), ptr @__tls_init
@.fmt = private unnamed_addr constant [10 x i8] c"%d %d %d\0A\00"

declare i32 @printf(ptr, ...)
declare i32 @pthread_create(ptr, ptr, ptr, ptr)
declare i32 @pthread_join(i64, ptr)
declare extern_weak void @_ZTH5plain()
declare ptr @llvm.threadlocal.address.p0(ptr)

define i32 @seed() {
  %c = load i32, ptr @init_count
  %n = add i32 %c, 1
  store i32 %n, ptr @init_count
  %r = add i32 40, %n
  ret i32 %r
}

define internal void @__cxx_global_var_init() {
  %v = call i32 @seed()
  %p = call ptr @llvm.threadlocal.address.p0(ptr @dyn)
  store i32 %v, ptr %p
  ret void
}

define internal void @__tls_init() {
entry:
  %g = call ptr @llvm.threadlocal.address.p0(ptr @__tls_guard)
  %0 = load i8, ptr %g
  %uninit = icmp eq i8 %0, 0
  br i1 %uninit, label %init, label %exit
init:
  store i8 1, ptr %g
  call void @__cxx_global_var_init()
  br label %exit
exit:
  ret void
}

define weak_odr hidden ptr @_ZTW3dyn() comdat {
  call void @_ZTH3dyn()
  %p = call ptr @llvm.threadlocal.address.p0(ptr @dyn)
  ret ptr %p
}

define linkonce_odr hidden ptr @_ZTW5plain() comdat {
entry:
  %has_init = icmp ne ptr @_ZTH5plain, null
  br i1 %has_init, label %call, label %done
call:
  call void @_ZTH5plain()
  br label %done
done:
  %p = call ptr @llvm.threadlocal.address.p0(ptr @plain)
  ret ptr %p
}

define i32 @read_dyn() {
  %p = call ptr @_ZTW3dyn()
  %v = load i32, ptr %p
  ret i32 %v
}

define i32 @read_plain() {
  %p = call ptr @_ZTW5plain()
  %v = load i32, ptr %p
  ret i32 %v
}

define void @show() {
  %a = call i32 @read_dyn()
  %b = call i32 @read_dyn()
  %s = add i32 %a, %b
  %c = call i32 @read_plain()
  %n = load i32, ptr @init_count
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, i32 %s, i32 %c, i32 %n)
  ret void
}

define internal ptr @thread_main(ptr %arg) {
  call void @show()
  ret ptr null
}

define i32 @main() {
  %tid = alloca i64
  call void @show()
  %c = call i32 @pthread_create(ptr %tid, ptr null, ptr @thread_main, ptr null)
  %t = load i64, ptr %tid
  %j = call i32 @pthread_join(i64 %t, ptr null)
  call void @show()
  ret i32 0
}
